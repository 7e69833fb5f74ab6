import Contracts
import Foundation
import Testing

@Suite("CI contracts")
struct ConfigurationItemContractTests {
    @Test("wire names: planning.* commands, ci.* events, `class` and snake_case kinds on the wire")
    func wireNames() throws {
        #expect(UpsertConfigurationItem.routingKey == "planning.upsert_ci")
        #expect(RelateConfigurationItems.routingKey == "planning.relate_cis")
        #expect(UnrelateConfigurationItems.routingKey == "planning.unrelate_cis")
        #expect(ImportConfigurationItems.routingKey == "planning.import_cis")
        #expect([CIUpserted.routingKey, CIRelated.routingKey, CIUnrelated.routingKey, CIImported.routingKey]
            == ["ci.upserted", "ci.related", "ci.unrelated", "ci.imported"])
        let upsert = String(decoding: try ContractCoding.encode(
            UpsertConfigurationItem(key: "CI-APP-0001", name: "App", ciClass: .application)), as: UTF8.self)
        #expect(upsert == #"{"class":"application","key":"CI-APP-0001","name":"App"}"#)
        let relate = String(decoding: try ContractCoding.encode(
            RelateConfigurationItems(source: "CI-APP-0001", kind: .runsOn, target: "CI-SRV-0001")), as: UTF8.self)
        #expect(relate == #"{"kind":"runs_on","source":"CI-APP-0001","target":"CI-SRV-0001"}"#)
        // A class this version does not know decodes (planning refuses it by a field rule).
        let newer = try ContractCoding.decode(UpsertConfigurationItem.self, from: Data(#"{"key":"k","name":"n","class":"toaster"}"#.utf8))
        #expect(newer.ciClass == .unknown("toaster"))
    }
}
