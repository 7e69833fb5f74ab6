import Contracts
import Foundation
import PlanningCore
import Testing

@Suite("Priority matrix and release templates")
struct LifecycleConfigurationTests {
    @Test func standardMatrix() throws {
        let matrix = PriorityMatrix.standard
        #expect(try matrix.priority(impact: .high, urgency: .high) == .critical)
        #expect(try matrix.priority(impact: .medium, urgency: .high) == .high)
        #expect(try matrix.priority(impact: .low, urgency: .low) == .planning)
        #expect(Priority.critical.level == 1 && Priority.planning.level == 5)
    }

    @Test func matrixFromConfiguration() throws {
        var table: [String: [String: String]] = [:]
        for impact in Impact.allCases {
            for urgency in Urgency.allCases { table[impact.rawValue, default: [:]][urgency.rawValue] = "low" }
        }
        table["high"]?["high"] = "critical"
        let matrix = try PriorityMatrix(configuration: table)
        #expect(try matrix.priority(impact: .high, urgency: .high) == .critical)
        #expect(try matrix.priority(impact: .medium, urgency: .medium) == .low)
    }

    @Test func missingCellIsAValidationError() {
        #expect {
            try PriorityMatrix(configuration: ["high": ["high": "critical"]])
        } throws: { error in
            guard let error = error as? CommandError else { return false }
            return error.kind == .validation && error.rule == "priority.matrix_incomplete"
                && error.fields?["low/medium"] == "missing" && error.fields?.count == 8
        }
        #expect {
            try PriorityMatrix(configuration: ["huge": [:]])
        } throws: { error in
            (error as? CommandError)?.rule == "priority.matrix_invalid"
        }
    }

    @Test func templatePresetsFieldsButExplicitValuesWin() {
        let template = ReleaseTemplate(
            name: "emergency-fix", type: .emergency, impact: .high, urgency: .high, risk: .high,
            jobPlanName: "emergency-v2", gates: [.initiate: ApprovalGate(approverGroup: "ecab")])
        let filled = template.apply(to: CreateRelease(title: "Patch", urgency: .medium))
        #expect(filled.type == .emergency)
        #expect(filled.impact == .high)
        #expect(filled.urgency == .medium)
        #expect(filled.jobPlanName == "emergency-v2")
        let state = template.makeState(key: "REL-000009", requester: "alice", coordinator: nil)
        #expect(state.phase == .initiate && state.status == .draft)
        #expect(state.gates[.initiate]?.approverGroup == "ecab")
    }

    @Test func contractsRoundTripWithWireNames() throws {
        let event = ReleaseStatusChanged(
            releaseKey: "REL-000001", actor: "bob", phase: .rolloutPlan, from: .onHold, to: .inProgress)
        let json = String(decoding: try ContractCoding.encode(event), as: UTF8.self)
        #expect(json.contains("\"rollout_plan\"") && json.contains("\"on_hold\"") && json.contains("\"in_progress\""))
        #expect(try ContractCoding.decode(ReleaseStatusChanged.self, from: Data(json.utf8)) == event)
        #expect(RejectRelease.messageType == "planning.reject_release")
        #expect(ReleasePhaseChanged.routingKey == "release.phase_changed")
        let state = LifecycleFixtures.draft()
        #expect(try ContractCoding.decode(ReleaseState.self, from: ContractCoding.encode(state)) == state)
    }
}

/// The pure rules refuse values this version does not know instead of defaulting them.
@Suite("Unknown values in the pure planning rules")
struct UnknownValueRuleTests {
    typealias F = LifecycleFixtures

    @Test("the priority matrix has no priority for an unknown impact or urgency: a validation error naming the field")
    func matrixRefusesUnknown() {
        #expect {
            try PriorityMatrix.standard.priority(impact: .unknown("galactic"), urgency: .high)
        } throws: { error in
            let error = error as? CommandError
            return error?.kind == .validation && error?.rule == "priority.unknown_value"
                && error?.fields == ["impact": "must be one of high, medium, low"]
        }
        #expect(throws: CommandError.self) { try PriorityMatrix(configuration: ["high": ["high": "urgent"]]) }
    }

    @Test("no lifecycle command acts on a release whose phase or status this version does not know")
    func lifecycleRefusesUnknownState() throws {
        var unknownStatus = try F.inPhase(.deploy)
        unknownStatus.status = .unknown("archived")
        var unknownPhase = try F.authorized()
        unknownPhase.phase = .unknown("audit")
        let commands: [LifecycleCommand] = [
            .submit, .approve(comment: nil), .reject(reason: "no"), .advance(exitCriteria: []), .hold(reason: nil),
            .resume, .cancel(reason: nil), .close(exitCriteria: []), .backOut(reason: "failed"),
        ]
        for state in [unknownStatus, unknownPhase] {
            for command in commands {
                F.expectRefusal("lifecycle.unknown_state") { () throws(CommandError) in
                    try ReleaseLifecycle.apply(command, to: state, by: "eve", at: F.now)
                }
            }
        }
    }
}
