import Contracts
import Foundation
import Testing

/// The planning contracts as other services and the gateway see them on the wire.
@Suite("Contracts: planning commands and replies on the wire")
struct PlanningContractTests {
    @Test("template gates are keyed by the phase's wire name; the template round-trips")
    func templateWireFormat() throws {
        let command = DefineReleaseTemplate(
            name: "emergency-fix", type: .emergency, jobPlanName: "emergency-plan",
            gates: [.rolloutPlan: ApprovalGateSpec(approverGroup: "cab", requiredApprovals: 2)])
        let text = String(decoding: try ContractCoding.encode(command), as: UTF8.self)
        #expect(text.contains("\"rollout_plan\":{"))
        #expect(text.contains("\"requiredApprovals\":2"))
        #expect(try ContractCoding.decode(DefineReleaseTemplate.self, from: Data(text.utf8)) == command)
        #expect(DefineReleaseTemplate.routingKey == "planning.define_release_template")
    }

    @Test("a change request travels with status and risk as text, so a wrong word is the service's to refuse")
    func changeRequestAcceptsAnyWords() throws {
        let json = #"{"releaseKey":"REL-000001","change":{"externalId":"CHG1","title":"t","status":"approvedish","risk":"huge","affectedCIs":[],"extra":1}}"#
        let command = try ContractCoding.decode(AddChange.self, from: Data(json.utf8))
        #expect(command.change.status == "approvedish" && command.change.risk == "huge")
    }

    @Test("a reply without warnings (from an older service) decodes; warnings are carried when present")
    func summaryWarningsAreAdditive() throws {
        let old = #"{"releaseKey":"REL-000001","phase":"plan","status":"in_progress"}"#
        #expect(try ContractCoding.decode(ReleaseSummary.self, from: Data(old.utf8)).warnings == nil)
        let summary = ReleaseSummary(releaseKey: "REL-000001", phase: .build, status: .inProgress, warnings: ["schedule_set: x"])
        #expect(try ContractCoding.decode(ReleaseSummary.self, from: try ContractCoding.encode(summary)) == summary)
    }

    @Test("a command acting on a release must say the phase its sender saw: without it, it does not decode")
    func expectedPhaseIsRequired() throws {
        let without = Data(#"{"releaseKey":"REL-000001","comment":"ok"}"#.utf8)
        #expect(throws: DecodingError.self) { try ContractCoding.decode(ApproveRelease.self, from: without) }
        #expect(throws: DecodingError.self) {
            try ContractCoding.decode(AdvanceRelease.self, from: Data(#"{"releaseKey":"REL-000001"}"#.utf8))
        }
        let with = Data(#"{"releaseKey":"REL-000001","expectedPhase":"rollout_plan"}"#.utf8)
        #expect(try ContractCoding.decode(AdvanceRelease.self, from: with).expectedPhase == .rolloutPlan)
    }

    @Test("event routing keys follow <aggregate>.<event>")
    func routingKeys() {
        #expect(ReleaseChangeAdded.routingKey == "release.change_added")
        #expect(ReleaseChangeRemoved.routingKey == "release.change_removed")
        #expect(PlanningConfigurationChanged.routingKey == "planning.configuration_changed")
    }
}
