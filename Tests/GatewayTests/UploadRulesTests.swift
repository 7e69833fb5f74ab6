import Contracts
import GatewayCore
import Testing

/// Where an upload may go and how much it may be: pure rules, no disk.
@Suite("Gateway upload rules")
struct UploadRulesTests {
    @Test("an upload lands under <root>/<key>/<path> and is named uploads/<key>/<path> in a spec")
    func destination() throws {
        let destination = try UploadDestination(releaseKey: "REL-000123", path: "bin/payroll")
        #expect(destination.file(under: "/srv/import/uploads") == "/srv/import/uploads/REL-000123/bin/payroll")
        #expect(destination.source.value == "uploads/REL-000123/bin/payroll")
    }

    @Test("a hostile path is refused as a validation error naming the path", arguments: [
        "../../etc/passwd", "/etc/passwd", "a/../../b", "a\u{0}b", "a\\b", "a//b", "a/", ".", "",
        String(repeating: "x", count: 300), String(repeating: "d/", count: 120) + "f",
    ])
    func hostilePaths(path: String) {
        do {
            _ = try UploadDestination(releaseKey: "REL-000123", path: path)
            Issue.record("\(path.debugDescription) was accepted")
        } catch {
            #expect(error.kind == .validation && error.rule == "uploads.path" && error.fields?["path"] != nil, "\(error)")
        }
    }

    @Test("a path that fits an image but not once under uploads/<key>/ is refused, saying how long it may be")
    func tooLongOnceUnderUploads() {
        let path = String(repeating: "d", count: 99) + "/" + String(repeating: "e", count: 50) + "/" + String(repeating: "f", count: 99)
        do {
            _ = try UploadDestination(releaseKey: "REL-000123", path: path)
            Issue.record("accepted")
        } catch {
            #expect(error.fields?["path"] == "at most 236 bytes", "\(error)")
        }
    }

    @Test("a release key that is no plain folder name is refused", arguments: ["..", "REL/1", "", "a\u{0}"])
    func badKeys(key: String) {
        #expect(throws: CommandError.self) { try UploadDestination(releaseKey: key, path: "f") }
    }

    @Test("the budget refuses a declared length over the limit, and counts arriving bytes up to it")
    func budget() throws {
        var budget = UploadBudget(limit: 10)
        #expect(throws: UploadTooLarge(limit: 10)) { try budget.admit(declaredLength: 11) }
        try budget.admit(declaredLength: 10)
        try budget.admit(declaredLength: nil)
        try budget.receive(6)
        try budget.receive(4)
        #expect(budget.received == 10)
        #expect(throws: UploadTooLarge(limit: 10)) { try budget.receive(1) }
        #expect(UploadTooLarge(limit: 2 << 20).description == "the upload is larger than the limit of 2 MiB")
    }

    @Test("DML coordinates and listing filters are checked before any SQL")
    func dmlFilters() throws {
        try DMLFilter.checkCoordinates(name: "payroll", version: "4.2.0")
        for (name, version) in [("", "1"), ("p", ""), ("p\u{0}", "1"), (String(repeating: "n", count: 101), "1"),
                                ("p", String(repeating: "9", count: 51))] {
            #expect(throws: CommandError.self) { try DMLFilter.checkCoordinates(name: name, version: version) }
        }
        #expect(throws: CommandError.self) { try DMLFilter(limit: 0) }
        #expect(throws: CommandError.self) { try DMLFilter(limit: 201) }
        #expect(throws: CommandError.self) { try DMLFilter(name: String(repeating: "n", count: 300)) }
        #expect(try DMLFilter(name: "payroll", state: "available", limit: 200).limit == 200)
    }
}
