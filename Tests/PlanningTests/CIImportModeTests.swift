import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// `planning.import_cis` modes: a dry run checks and counts but stores, audits and announces
/// nothing; create-only refuses CIs already stored, by line. Against the real servers,
/// through request/reply.
@Suite("CI import modes: dry run and create only", .serialized)
struct CIImportModeTests {
    static let csv = "key,name,class,runs_on\nCI-SRV-0001,Server,server,\nCI-APP-0001,App,application,CI-SRV-0001\n"

    @Test("a dry run answers what the import would do and changes nothing")
    func dryRun() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-SRV-0001", name: "Old name", ciClass: .server))
            let before = try await harness.outboxTypes()
            let reply = try await harness.send(ImportConfigurationItems(format: .csv, content: Self.csv, dryRun: true))
            #expect(reply == ConfigurationItemsImported(items: 2, relationshipsAdded: 1, created: 1, updated: 1, dryRun: true))
            let names = try await harness.pool.query(
                "SELECT key, name FROM \(identifier: harness.schema).configuration_items ORDER BY key"
            ).map { try $0.decode((String, String).self) }
            #expect(names.map(\.0) == ["CI-SRV-0001"] && names.map(\.1) == ["Old name"], "nothing stored")
            #expect(try await harness.outboxTypes() == before, "nothing announced")
            // The same import for real does what the dry run said.
            let done = try await harness.send(ImportConfigurationItems(format: .csv, content: Self.csv))
            #expect(done == ConfigurationItemsImported(items: 2, relationshipsAdded: 1, created: 1, updated: 1))
        }
    }

    @Test("create only: a CI already stored is a problem of its line and nothing is imported")
    func createOnly() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-SRV-0001", name: "Server", ciClass: .server))
            let refusal = await harness.refusal(ImportConfigurationItems(format: .csv, content: Self.csv, createOnly: true))
            #expect(refusal?.kind == .validation && refusal?.rule == "cis.import_valid")
            #expect(refusal?.fields?["line 2"]?.contains("already exists") == true, "\(String(describing: refusal))")
            let count = try await harness.pool.query("SELECT count(*)::int8 FROM \(identifier: harness.schema).configuration_items")
                .single().decode(at: 0, as: Int.self)
            #expect(count == 1)
            let fresh = "key,name,class\nCI-APP-0002,Other,application\n"
            #expect(try await harness.send(ImportConfigurationItems(format: .csv, content: fresh, createOnly: true)).created == 1)
        }
    }
}
