import Foundation
import PlanningCore
import Testing

@Suite("Configuration items: CSV and JSON import")
struct ConfigurationItemImportTests {
    @Test("bad CSV rows are all reported by line and nothing is imported")
    func badRows() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let csv = """
            key,name,class,site,depends_on
            CI-APP-0001,Billing,application,FRA1,CI-DB-0001
            CI-DB-0001,Billing DB,database,FRA1,
            CI-APP-01,Short key,application,,
            CI-APP-0002,Ledger,spreadsheet,,
            CI-APP-0003,Reports,application,,CI-APP-9999
            CI-APP-0001,Billing again,application,,
            CI-APP-0004,,application,,
            CI-APP-0005,Too few fields
            """
        let error = try await #require(throws: CIImportError.self) { try await fixture.repository.importCSV(csv) }
        #expect(error.issues.map(\.line) == [4, 5, 6, 7, 8, 9])
        #expect(error.issues.map(\.field) == ["key", "class", "depends_on", "key", "name", "record"])
        #expect(error.issues[2].message.contains("CI-APP-9999"))
        #expect(error.issues[3].message.contains("line 2"))
        let counts = try await fixture.counts()
        #expect(counts.items == 0 && counts.relationships == 0)
    }

    @Test("bad header and unterminated quote are refused")
    func badDocument() async throws {
        let header = CIImportDocument.parseCSV("key,name,colour\nCI-APP-0001,a,red\n")
        #expect(header.issues.map(\.field) == ["header", "header"])
        let quote = CIImportDocument.parseCSV("key,name,class\nCI-APP-0001,\"open,application\n")
        #expect(quote.issues == [.init(line: 2, field: "document", message: "a quoted field starting here is never closed")])
    }

    @Test("quoted fields keep commas, quotes and newlines; lines count physical lines")
    func quotedFields() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let csv = "key,name,class,attributes,runs_on\r\n"
            + "CI-SRV-0001,\"rack 4, slot \"\"B\"\"\nsecond line\",server,\"{\"\"os\"\":\"\"debian, 12\"\"}\",\r\n"
            + "CI-APP-0001,App,application,,CI-SRV-0001\r\n"
        let summary = try await fixture.repository.importCSV(csv)
        #expect(summary.items == 2 && summary.relationshipsAdded == 1)
        let server = try #require(try await fixture.repository.item(key: "CI-SRV-0001"))
        #expect(server.name == "rack 4, slot \"B\"\nsecond line")
        #expect(server.attributes == ["os": "debian, 12"])
        #expect(try await fixture.repository.dependents(of: "CI-SRV-0001").map(\.key) == ["CI-APP-0001"])

        let bad = CIImportDocument.parseCSV("key,name,class\nCI-APP-0001,\"multi\nline\",application\nCI-APP-0002,x,nope\n")
        #expect(bad.issues.map(\.line) == [4])
    }

    @Test("JSON import stores items and relationships; bad items are reported by position")
    func json() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let good = """
            {"items": [
              {"key": "CI-SITE-0001", "name": "Frankfurt", "class": "site"},
              {"key": "CI-SRV-0001", "name": "web-1", "class": "server", "site": "FRA1", "located_at": ["CI-SITE-0001"],
               "attributes": {"os": "debian"}},
              {"key": "CI-APP-0001", "name": "Shop", "class": "application", "runs_on": ["CI-SRV-0001"]}
            ]}
            """
        let summary = try await fixture.repository.importJSON(Data(good.utf8))
        #expect(summary.items == 3 && summary.relationshipsAdded == 2)
        #expect(try await fixture.repository.item(key: "CI-SRV-0001")?.site == "FRA1")

        let bad = """
            [{"key": "CI-APP-0002", "name": "ok", "class": "application", "depends_on": ["CI-APP-0001"]},
             {"key": "CI-APP-0003", "name": 7, "class": "application"},
             {"key": "CI-APP-0004", "name": "x", "class": "application", "colour": "red"},
             {"key": "CI-APP-0005", "name": "y", "class": "application", "part_of": ["CI-SVC-0404"]}]
            """
        let error = try await #require(throws: CIImportError.self) { try await fixture.repository.importJSON(Data(bad.utf8)) }
        #expect(error.issues.map(\.line) == [2, 3, 4])
        #expect(try await fixture.counts().items == 3)
    }
}
