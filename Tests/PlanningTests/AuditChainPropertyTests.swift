import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import PropertyBased
import Testing

/// Random command sequences sent to the real planning handlers (request/reply, PostgreSQL,
/// RabbitMQ): whatever is accepted or refused, the audit chain stays intact and records
/// every event the release emitted, in order — no audit link is ever lost.
@Suite("Audit chain properties over the planning service", .serialized)
struct AuditChainPropertyTests {
    static let actors = ["alice", "carol", "dave", "erin", "mallory"]
    static let commandCount = 11

    /// The command `code` stands for, on release `key`, sent by someone who sees it in `phase`.
    static func command(_ code: Int, key: String, phase: ReleasePhase) -> (any CommandContract, String) {
        let actor = actors[code % actors.count]
        let change = ChangeRequestInput(externalId: "CHG\(code % 3)", title: "Change \(code % 3)", status: "approved", risk: "low")
        let command: any CommandContract = switch (code / actors.count) % commandCount {
        case 0: SubmitRelease(releaseKey: key)
        case 1, 2: ApproveRelease(releaseKey: key, comment: code % 2 == 0 ? nil : "ok", expectedPhase: phase)
        case 3, 4: AdvanceRelease(releaseKey: key, expectedPhase: phase)
        case 5: RejectRelease(releaseKey: key, reason: code % 2 == 0 ? "" : "not ready", expectedPhase: phase)
        case 6: HoldRelease(releaseKey: key, reason: "wait", expectedPhase: phase)
        case 7: ResumeRelease(releaseKey: key, expectedPhase: phase)
        case 8: UpdateRelease(releaseKey: key, title: "Title \(code)", expectedPhase: phase)
        case 9: AddChange(releaseKey: key, change: change)
        default:
            code % 7 == 0
                ? CancelRelease(releaseKey: key, reason: nil, expectedPhase: phase)
                : RemoveChange(releaseKey: key, externalId: change.externalId)
        }
        return (command, actor)
    }

    /// The phase the release is in now: what a sender would see on reloading it.
    static func phase(_ key: String, _ harness: PlanningHarness) async throws -> ReleasePhase {
        let raw = try await harness.pool.query("SELECT phase FROM \(identifier: harness.schema).releases WHERE key = \(key)")
            .single().decode(at: 0, as: String.self)
        return try #require(ReleasePhase(knownRawValue: raw))
    }

    static func send(_ command: any CommandContract, as actor: String, _ harness: PlanningHarness) async -> Bool {
        func typed<C: CommandContract>(_ command: C) async -> Bool {
            await harness.refusal(command, as: actor) == nil
        }
        return await typed(command)
    }

    @Test func auditRecordsEveryEventInAnIntactChain() async throws {
        let harness = try await PlanningHarness(prefix: "auditprop")
        for member in ["dave", "erin"] { _ = try await harness.send(AddApprover(group: "release-approvers", member: member), as: "admin") }
        let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
        await propertyCheck(count: 30, input: Gen.int(in: 0...10_000).array(of: 0...40)) { codes in
            do {
                let key = try await harness.send(CreateRelease(title: "Property", requester: "alice", coordinator: "carol"), as: "alice")
                    .releaseKey
                var accepted = 0
                for code in codes {
                    let (command, actor) = Self.command(code, key: key, phase: try await Self.phase(key, harness))
                    // An update that changes nothing (the same title twice) is accepted without
                    // an entry, by design; every other accepted command leaves one.
                    if await Self.send(command, as: actor, harness), !(command is UpdateRelease) { accepted += 1 }
                }
                let entries = try await audit.reader.entries(chain: key, pool: harness.pool)
                #expect(try await audit.verify(chain: key, pool: harness.pool) == .intact(entries: entries.count))
                // One audit entry per event, same order: a state change without its audit link
                // (or an entry without its event) would break this.
                #expect(entries.map(\.action) == (try await harness.outboxTypes(key)))
                // Every accepted command left at least one entry (create is the first).
                #expect(entries.count >= accepted + 1)
                #expect(entries.map(\.seq) == Array(1...entries.count))
                // Phases recorded by the audit never skip.
                let phases = entries.filter { $0.action == ReleasePhaseChanged.messageType }.compactMap { $0.details["phase"] }
                    .compactMap(ReleasePhase.init(knownRawValue:))
                #expect(phases.map(\.index) == (1..<(phases.count + 1)).map(Optional.some))
            } catch {
                Issue.record("unexpected failure: \(error)")
            }
        }
        try await harness.close()
    }
}
