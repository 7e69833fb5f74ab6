import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// CMDB commands over request/reply against the real servers: validation, not-found,
/// cycles, imports all or nothing, and every change audited under `CMDB` and announced.
@Suite("CI commands over request/reply", .serialized)
struct ConfigurationItemCommandTests {
    @Test("upsert then update; hostile strings stored verbatim or refused; relate, unrelate, unknown CI, cycle; CMDB audit verifies")
    func editsOverRequestReply() async throws {
        try await PlanningHarness.run { harness in
            let repository = CIRepository(schema: harness.schema, pool: harness.pool)

            let created = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0001", name: "Payroll", ciClass: .application))
            #expect(created == ConfigurationItemUpserted(key: "CI-APP-0001", created: true))
            let hostile = "O'Brien \"rack\" \\ 日本 ✓ '; DROP TABLE configuration_items; --"
            let updated = try await harness.send(UpsertConfigurationItem(
                key: "CI-APP-0001", name: hostile, ciClass: .service, site: "Zürich",
                attributes: ["version": "2.1", "note": hostile]))
            #expect(updated.created == false)
            let stored = try #require(try await repository.item(key: "CI-APP-0001"))
            #expect(stored.name == hostile && stored.ciClass == .service && stored.site == "Zürich")
            #expect(stored.attributes == ["version": "2.1", "note": hostile])

            let refusals: [(UpsertConfigurationItem, String)] = [
                (UpsertConfigurationItem(key: "CI-APP-0001'; DROP TABLE x; --", name: "x", ciClass: .server), "key"),
                (UpsertConfigurationItem(key: "ci-app-0002", name: "x", ciClass: .server), "key"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "line\nbreak", ciClass: .server), "name"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "nul\u{0}", ciClass: .server), "name"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "   ", ciClass: .server), "name"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: String(repeating: "n", count: 201), ciClass: .server), "name"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "x", ciClass: .server, site: "bell\u{7}"), "site"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "x", ciClass: .server, attributes: ["bad name": "v"]), "attributes"),
                (UpsertConfigurationItem(key: "CI-APP-0002", name: "x", ciClass: .server, attributes: ["esc": "\u{1B}[31m"]), "attributes"),
                (UpsertConfigurationItem(
                    key: "CI-APP-0002", name: "x", ciClass: .server,
                    attributes: Dictionary(uniqueKeysWithValues: (0...50).map { ("a\($0)", "v") })), "attributes"),
            ]
            for (command, field) in refusals {
                let error = await harness.refusal(command)
                #expect(error?.kind == .validation && error?.fields?[field] != nil, "\(field): \(String(describing: error))")
            }
            #expect(try await repository.item(key: "CI-APP-0002") == nil)

            _ = try await harness.send(UpsertConfigurationItem(key: "CI-DB-0001", name: "Payroll DB", ciClass: .database))
            let related = try await harness.send(RelateConfigurationItems(source: "CI-APP-0001", kind: .dependsOn, target: "CI-DB-0001"))
            #expect(related == ConfigurationItemsRelated(changed: true, createsCycle: false))
            #expect(try await harness.send(RelateConfigurationItems(source: "CI-APP-0001", kind: .dependsOn, target: "CI-DB-0001")).changed == false)
            // Recorded, but reported: a CMDB describes what is.
            let cycle = try await harness.send(RelateConfigurationItems(source: "CI-DB-0001", kind: .runsOn, target: "CI-APP-0001"))
            #expect(cycle == ConfigurationItemsRelated(changed: true, createsCycle: true))
            #expect(try await repository.findCycles() == [["CI-APP-0001", "CI-DB-0001"]])

            let unknown = await harness.refusal(RelateConfigurationItems(source: "CI-APP-0001", kind: .dependsOn, target: "CI-SRV-9999"))
            #expect(unknown?.kind == .notFound && unknown?.message.contains("CI-SRV-9999") == true)
            #expect(unknown?.fields == ["target": "unknown CI CI-SRV-9999"])
            let itself = await harness.refusal(RelateConfigurationItems(source: "CI-APP-0001", kind: .partOf, target: "CI-APP-0001"))
            #expect(itself?.kind == .validation && itself?.fields?["target"] != nil)
            let malformed = await harness.refusal(UnrelateConfigurationItems(source: "CI-APP-0001\\", kind: .dependsOn, target: "x"))
            #expect(malformed?.kind == .validation && Set(malformed?.fields?.keys.map { $0 } ?? []) == ["source", "target"])

            #expect(try await harness.send(UnrelateConfigurationItems(source: "CI-DB-0001", kind: .runsOn, target: "CI-APP-0001")).changed)
            #expect(try await harness.send(UnrelateConfigurationItems(source: "CI-DB-0001", kind: .runsOn, target: "CI-APP-0001")).changed == false)
            #expect(try await repository.findCycles().isEmpty)

            let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            let entries = try await audit.reader.entries(chain: ConfigurationItemCommandHandlers.auditChainKey, pool: harness.pool)
            #expect(entries.map(\.action) == ["ci.upserted", "ci.upserted", "ci.upserted", "ci.related", "ci.related", "ci.unrelated"])
            #expect(entries.allSatisfy { $0.actor == "olivia" })
            #expect(entries[1].details["name"] == hostile && entries[1].details["created"] == "false")
            #expect(entries[4].details["createsCycle"] == "true")
            #expect(try await audit.verify(chain: "CMDB", pool: harness.pool) == .intact(entries: 6))
            #expect(try await harness.outboxTypes() == ["ci.upserted", "ci.upserted", "ci.upserted", "ci.related", "ci.related", "ci.unrelated"])
        }
    }

    @Test("imports: bad CSV rows refused by line with nothing imported; oversize refused; good CSV and JSON counted and announced")
    func importsOverRequestReply() async throws {
        try await PlanningHarness.run { harness in
            let bad = """
                key,name,class,site,depends_on
                CI-SRV-0001,Server,server,FRA1,
                CI-APP-0001,App,gadget,FRA1,CI-SRV-0001
                CI-APP-0002,App 2,application,,CI-SRV-9999
                """
            let refusal = await harness.refusal(ImportConfigurationItems(format: .csv, content: bad))
            #expect(refusal?.kind == .validation && refusal?.rule == "cis.import_valid")
            #expect(refusal?.fields?.keys.sorted() == ["line 3", "line 4"])
            #expect(refusal?.fields?["line 3"]?.hasPrefix("class:") == true)
            #expect(refusal?.fields?["line 4"]?.contains("CI-SRV-9999") == true)
            let stored = try await harness.pool.query("SELECT count(*)::int8 FROM \(identifier: harness.schema).configuration_items")
            #expect(try stored.single().decode(at: 0, as: Int.self) == 0)

            let huge = String(repeating: "x", count: ImportConfigurationItems.maxContentBytes + 1)
            let oversize = await harness.refusal(ImportConfigurationItems(format: .csv, content: huge))
            #expect(oversize?.kind == .validation && oversize?.fields?["content"] != nil)

            let good = #"""
                key,name,class,site,attributes,depends_on,runs_on
                CI-SRV-0001,Server,server,FRA1,"{""os"":""debian""}",,
                CI-DB-0001,DB,database,FRA1,,,CI-SRV-0001
                CI-APP-0001,"App, ""quoted"" ",application,FRA1,,CI-DB-0001,CI-SRV-0001
                """#
            let imported = try await harness.send(ImportConfigurationItems(format: .csv, content: good))
            #expect(imported == ConfigurationItemsImported(items: 3, relationshipsAdded: 3, created: 3, updated: 0))
            let json = #"{"items": [{"key": "CI-APP-0002", "name": "Second", "class": "application", "depends_on": ["CI-DB-0001"]}]}"#
            #expect(try await harness.send(ImportConfigurationItems(format: .json, content: json), as: "pat")
                == ConfigurationItemsImported(items: 1, relationshipsAdded: 1, created: 1, updated: 0))
            let badJSON = await harness.refusal(ImportConfigurationItems(format: .json, content: #"[{"key": "CI-APP-0003"}]"#))
            #expect(badJSON?.fields?["line 1"]?.contains("name") == true)

            let events = try await harness.pool.query(
                """
                SELECT convert_from(body, 'UTF8')::jsonb #>> '{payload,items}', convert_from(body, 'UTF8')::jsonb #>> '{payload,actor}'
                FROM \(identifier: harness.schema).outbox WHERE message_type = 'ci.imported' ORDER BY seq
                """).map { try $0.decode((String, String).self) }
            #expect(events.map(\.0) == ["3", "1"] && events.map(\.1) == ["olivia", "pat"])
            let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            let entries = try await audit.reader.entries(chain: "CMDB", pool: harness.pool)
            #expect(entries.map(\.action) == ["ci.imported", "ci.imported"] && entries.map(\.actor) == ["olivia", "pat"])
            #expect(entries.first?.details["items"] == "3" && entries.first?.details["format"] == "csv")
            #expect(try await audit.verify(chain: "CMDB", pool: harness.pool) == .intact(entries: 2))
        }
    }
}
