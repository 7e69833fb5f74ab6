import Contracts
import Foundation
import Testing

/// Every enum of the shared language that travels in messages is a `ContractEnum`.
@Suite("Contracts: ContractEnum")
struct ContractEnumTests {
    /// Known names round-trip to their case; anything else is `.unknown(name)`, kept as it came.
    static func check<Value: ContractEnum>(_ type: Value.Type, known: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(Value.allCases.map(\.rawValue) == known, sourceLocation: sourceLocation)
        for value in Value.allCases {
            #expect(Value(rawValue: value.rawValue) == value && value.isKnown, sourceLocation: sourceLocation)
            #expect(try ContractCoding.decode(Value.self, from: ContractCoding.encode(value)) == value, sourceLocation: sourceLocation)
            #expect(value.knownValueProblem == nil, sourceLocation: sourceLocation)
        }
        for name in ["brand_new", "", "Plan", "\u{0}"] {
            let unknown = try ContractCoding.decode(Value.self, from: ContractCoding.encode(name))
            #expect(unknown == .unknown(name) && !unknown.isKnown && unknown.rawValue == name, sourceLocation: sourceLocation)
            #expect(Value(rawValue: name) == unknown && Value(knownRawValue: name) == nil, sourceLocation: sourceLocation)
            #expect(!Value.allCases.contains(unknown), sourceLocation: sourceLocation)
            #expect(String(decoding: try ContractCoding.encode(unknown), as: UTF8.self)
                    == String(decoding: try ContractCoding.encode(name), as: UTF8.self), sourceLocation: sourceLocation)
            // The rule names what is accepted, never the value that came.
            #expect(unknown.knownValueProblem == "must be one of \(known.joined(separator: ", "))", sourceLocation: sourceLocation)
        }
    }

    @Test("every contract enum: known wire names, unknown ones kept, the field rule")
    func everyEnum() throws {
        try Self.check(ReleasePhase.self, known: ["initiate", "plan", "build", "test", "rollout_plan", "prepare", "deploy", "review"])
        try Self.check(ReleaseStatus.self, known: [
            "draft", "pending_approval", "in_progress", "on_hold", "rejected", "cancelled", "backed_out", "completed",
        ])
        try Self.check(ReleaseType.self, known: ["major", "minor", "emergency", "standard"])
        try Self.check(ReleaseRisk.self, known: ["low", "medium", "high", "critical"])
        try Self.check(Impact.self, known: ["high", "medium", "low"])
        try Self.check(Urgency.self, known: ["high", "medium", "low"])
        try Self.check(Priority.self, known: ["critical", "high", "moderate", "low", "planning"])
        try Self.check(CIClass.self, known: [
            "software", "server", "application", "service", "database", "network", "site", "storage", "middleware",
        ])
        try Self.check(CIRelationshipKind.self, known: ["depends_on", "runs_on", "located_at", "part_of"])
        try Self.check(CIImportFormat.self, known: ["csv", "json"])
        try Self.check(CommandError.Kind.self, known: [
            "validation", "forbidden", "conflict", "not_found", "unavailable", "timeout", "internal",
        ])
    }

    @Test("order: phases in process order and priorities highest first, unknown values after every known one")
    func order() {
        #expect(ReleasePhase.allCases == ReleasePhase.allCases.sorted())
        #expect(ReleasePhase.review < .unknown("audit") && ReleasePhase.unknown("audit").index == nil)
        #expect(ReleasePhase.unknown("audit").next == nil && ReleasePhase.deploy.next == .review)
        #expect(Priority.critical < .high && Priority.planning < .unknown("whenever"))
        #expect(Priority.allCases.map(\.level) == [1, 2, 3, 4, 5] && Priority.unknown("whenever").level == nil)
        #expect(!ReleaseStatus.unknown("archived").isTerminal)
    }

    @Test("a refusal with an error kind a newer service added reaches the requester")
    func unknownErrorKind() throws {
        let reply = try ContractCoding.decode(
            CommandReply<Acknowledged>.self, from: Data(#"{"ok":false,"error":{"kind":"rate_limited","message":"m"}}"#.utf8))
        #expect(throws: CommandError(.unknown("rate_limited"), "m")) { try reply.get() }
    }
}
