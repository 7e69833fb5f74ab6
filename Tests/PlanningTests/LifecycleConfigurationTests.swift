import Contracts
import Foundation
import PlanningCore
import Testing

@Suite("Priority matrix and release templates")
struct LifecycleConfigurationTests {
    @Test func standardMatrix() {
        let matrix = PriorityMatrix.standard
        #expect(matrix.priority(impact: .high, urgency: .high) == .critical)
        #expect(matrix.priority(impact: .medium, urgency: .high) == .high)
        #expect(matrix.priority(impact: .low, urgency: .low) == .planning)
        #expect(Priority.critical.level == 1 && Priority.planning.level == 5)
    }

    @Test func matrixFromConfiguration() throws {
        var table: [String: [String: String]] = [:]
        for impact in Impact.allCases {
            for urgency in Urgency.allCases { table[impact.rawValue, default: [:]][urgency.rawValue] = "low" }
        }
        table["high"]?["high"] = "critical"
        let matrix = try PriorityMatrix(configuration: table)
        #expect(matrix.priority(impact: .high, urgency: .high) == .critical)
        #expect(matrix.priority(impact: .medium, urgency: .medium) == .low)
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
