import Contracts
import Foundation
import Testing

/// A newer sender may add enum values; an older receiver must decode its messages and keep the
/// values it does not know (issue 8, item 7). Only JSON goes in and out, so the same test runs
/// against any version.
@Suite("Contracts: values a newer sender added decode and round-trip")
struct UnknownEnumValueTests {
    /// Decodes `json` as `type` and encodes it again: the bytes must be the same (sorted keys).
    static func roundTrip<Message: Codable>(_ json: String, as type: Message.Type, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let decoded = try ContractCoding.decode(type, from: Data(json.utf8))
            let encoded = String(decoding: try ContractCoding.encode(decoded), as: UTF8.self)
            #expect(encoded == json, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(Message.self) did not decode: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("events, commands and replies carrying unknown phases, statuses, types, priorities, classes, kinds, formats and error kinds")
    func newerMessagesDecode() {
        Self.roundTrip(
            #"{"actor":"alice","from":"deploy","releaseKey":"REL-000001","to":"audit"}"#, as: ReleasePhaseChanged.self)
        Self.roundTrip(
            #"{"actor":"alice","from":"in_progress","phase":"audit","releaseKey":"REL-000001","to":"archived"}"#,
            as: ReleaseStatusChanged.self)
        Self.roundTrip(
            #"{"actor":"alice","priority":"urgent","releaseKey":"REL-000001","requester":"alice","title":"t","type":"hotfix"}"#,
            as: ReleaseCreated.self)
        Self.roundTrip(
            #"{"actor":"alice","approvals":1,"gateOpen":true,"phase":"audit","releaseKey":"REL-000001","requiredApprovals":1}"#,
            as: ReleaseApproved.self)
        Self.roundTrip(#"{"actor":"a","class":"toaster","created":true,"key":"CI-APP-0001"}"#, as: CIUpserted.self)
        Self.roundTrip(#"{"actor":"a","kind":"feeds","source":"CI-APP-0001","target":"CI-DB-0001"}"#, as: CIRelated.self)
        Self.roundTrip(#"{"actor":"a","format":"yaml","items":1,"relationshipsAdded":0}"#, as: CIImported.self)
        Self.roundTrip(#"{"phase":"audit","releaseKey":"REL-000001","status":"archived"}"#, as: ReleaseSummary.self)
        Self.roundTrip(
            #"{"impact":"galactic","risk":"extreme","title":"t","type":"hotfix","urgency":"yesterday"}"#, as: CreateRelease.self)
        // Unknown keys of a dictionary keyed by phase.
        Self.roundTrip(
            #"{"gates":{"audit":{"approverGroup":"cab","requiredApprovals":1},"plan":{"approverGroup":"cab","requiredApprovals":2}},"name":"t","type":"major"}"#,
            as: DefineReleaseTemplate.self)
        Self.roundTrip(
            #"{"error":{"kind":"rate_limited","message":"slow down"},"ok":false}"#, as: CommandReply<ReleaseSummary>.self)
    }
}
