@testable import CLICore
import Foundation
import Testing

@Suite("CLI argument parsing")
struct ArgumentParsingTests {
    @Test("--gate phase=group:count, the count defaulting to one")
    func gates() throws {
        #expect(try GateArgument(parsing: "plan=cab:2") == GateArgument(phase: "plan", group: "cab", requiredApprovals: 2))
        #expect(try GateArgument(parsing: "rollout_plan=ops.team-1") == GateArgument(phase: "rollout_plan", group: "ops.team-1", requiredApprovals: 1))
        #expect(try GateArgument.parseAll(["plan=cab:2", "deploy=ops:1"]).map(\.phase) == ["plan", "deploy"])
    }

    @Test("a bad --gate says what is wrong", arguments: [
        "plan", "planning=cab:1", "plan=CAB:1", "plan=:1", "plan=cab:0", "plan=cab:51", "plan=cab:two", "=cab:1",
    ])
    func badGates(text: String) {
        #expect(throws: GateArgument.Invalid.self) { try GateArgument(parsing: text) }
    }

    @Test("a phase named twice is refused")
    func duplicatePhase() {
        #expect(throws: GateArgument.Invalid(description: "--gate names plan twice")) {
            try GateArgument.parseAll(["plan=cab:1", "plan=ops:2"])
        }
    }

    @Test("configuration names follow the API's pattern")
    func configurationNames() {
        #expect(ConfigurationName.isValid("cab") && ConfigurationName.isValid("0ps_team.a-b"))
        #expect(!ConfigurationName.isValid("") && !ConfigurationName.isValid("-cab") && !ConfigurationName.isValid("Cab"))
        #expect(ConfigurationName.isValid(String(repeating: "a", count: 64)) && !ConfigurationName.isValid(String(repeating: "a", count: 65)))
    }

    @Test("release keys: any case, short numbers padded to six digits; CI keys upper-cased")
    func keys() {
        #expect(KeyArgument.releaseKey("REL-000042") == "REL-000042")
        #expect(KeyArgument.releaseKey("rel-42") == "REL-000042")
        #expect(KeyArgument.releaseKey("42") == "REL-000042")
        #expect(KeyArgument.releaseKey("REL-1234567") == "REL-1234567")
        for bad in ["", "REL-", "REL-12a", "CHG-1", "REL--1", "١٢"] { #expect(KeyArgument.releaseKey(bad) == nil) }
        #expect(KeyArgument.ciKey("ci-app-0001") == "CI-APP-0001")
        for bad in ["CI-A-0001", "CI-APP-01", "CI-APP_X-0001", "APP-0001", "CI-APP-0001-2"] { #expect(KeyArgument.ciKey(bad) == nil) }
    }

    @Test("dates: RFC 3339 with or without fractions or offsets, or a plain day (midnight UTC)")
    func dates() throws {
        let noon = Date(timeIntervalSince1970: 1_740_830_400)  // 2025-03-01T12:00:00Z
        #expect(DateText.parseArgument("2025-03-01T12:00:00Z") == noon)
        #expect(DateText.parseArgument("2025-03-01T13:00:00+01:00") == noon)
        #expect(DateText.parseTimestamp("2025-03-01T12:00:00.250Z") == noon.addingTimeInterval(0.25))
        #expect(DateText.parseArgument("2025-03-01") == noon.addingTimeInterval(-12 * 3600))
        for bad in ["2025-03-01 12:00", "01/03/2025", "2025-3-1", "tomorrow", "2025-03-01T12:00:00"] {
            #expect(DateText.parseArgument(bad) == nil)
        }
        #expect(DateText.parseTimestamp("2025-03-01") == nil)
        #expect(DateText.timestamp(noon) == "2025-03-01T12:00:00Z")
        #expect(DateText.cell(noon.addingTimeInterval(59)) == "2025-03-01 12:00Z")
    }

    @Test("ci import: the format comes from the extension")
    func importFormat() {
        #expect(ImportFormat.infer(fromPath: "cmdb.csv") == "csv")
        #expect(ImportFormat.infer(fromPath: "/tmp/export.v2.JSON") == "json")
        for none in ["cmdb", "cmdb.txt", ".csv", "dir.csv/file"] { #expect(ImportFormat.infer(fromPath: none) == nil) }
    }
}
