import Contracts
import Foundation
import PlanningCore
import Testing

/// CSV as spreadsheets write it: a UTF-8 byte-order mark, `;` separators (with quoted
/// relationship lists keeping their own `;`), CRLF and lone CR line ends. Pure: parsing only.
@Suite("CI import: CSV dialects")
struct CSVDialectTests {
    static let expected = [("CI-SRV-0001", "Server, rack 4"), ("CI-APP-0001", "App")]

    static func items(_ document: CIImportDocument) -> [(String, String)] {
        document.items.map { ($0.key, $0.name) }
    }

    @Test("a byte-order mark before the header is not part of the first column")
    func byteOrderMark() {
        let document = CIImportDocument.parseCSV("\u{FEFF}key,name,class\nCI-SRV-0001,\"Server, rack 4\",server\nCI-APP-0001,App,application\n")
        #expect(document.issues.isEmpty, "\(document.issues)")
        #expect(Self.items(document).elementsEqual(Self.expected, by: ==))
    }

    @Test("semicolon-separated files, with a quoted relationship list keeping its semicolons")
    func semicolons() {
        let csv = "key;name;class;runs_on\r\nCI-SRV-0001;Server, rack 4;server;\r\nCI-APP-0001;App;application;\"CI-SRV-0001;CI-SRV-0002\"\r\nCI-SRV-0002;Spare;server;\r\n"
        let document = CIImportDocument.parseCSV(csv)
        #expect(document.issues.isEmpty, "\(document.issues)")
        #expect(Array(Self.items(document).prefix(2)).elementsEqual(Self.expected, by: ==))
        #expect(document.relationships.map(\.target) == ["CI-SRV-0001", "CI-SRV-0002"])
    }

    @Test("lone CR line ends (old Mac files) end records and count lines")
    func carriageReturns() {
        let document = CIImportDocument.parseCSV("key,name,class\rCI-SRV-0001,\"Server, rack 4\",server\rCI-APP-0001,App,nope\r")
        #expect(Self.items(document).map(\.0) == ["CI-SRV-0001"])
        #expect(document.issues.map(\.line) == [3])
    }
}
