import Foundation
import GatewayCore
import Testing

/// The delivery log's CSV export and what the log shows of an address (pure).
@Suite("Delivery log CSV")
struct DeliveryLogCSVTests {
    @Test("commas, quotes and line breaks are quoted; quotes doubled; lines end in CRLF")
    func quoting() {
        let text = CSVText.render(header: ["a", "b"], rows: [["x,y", "say \"hi\""], ["line\nbreak", "plain"], ["cr\rhere", ""]])
        #expect(text == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",plain\r\n\"cr\rhere\",\r\n")
    }

    @Test("a cell starting with =, +, -, @, tab or CR is prefixed with ' so no spreadsheet runs it")
    func formulas() {
        for (cell, expected) in [
            ("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("-pat,ops", "\"'-pat,ops\""), ("ok=1", "ok=1"), ("", ""),
        ] {
            #expect(CSVText.cell(cell) == expected, "\(cell)")
        }
    }

    @Test("a webhook or chat address shows only its host; an email address as it is")
    func addresses() {
        #expect(DeliveryAddress.shown(channel: "webhook", address: "https://hooks.example.net/T0/secret?sig=1") == "hooks.example.net")
        #expect(DeliveryAddress.shown(channel: "chat", address: "https://hooks.slack.com/services/T/B/xyz") == "hooks.slack.com")
        #expect(DeliveryAddress.shown(channel: "email", address: "ops@example.com") == "ops@example.com")
        #expect(DeliveryAddress.shown(channel: "in_app", address: nil) == nil)
    }

    @Test("a delivery row: columns in order, times in UTC, the neutralised error")
    func row() throws {
        let json = """
            {"id": "d1", "eventType": "rollout.halted", "recipient": "-pat", "channel": "webhook", "address": "hooks.example.net",
             "reason": "site contact", "state": "failed", "attempts": 5, "lastError": "=cmd|' /C calc'!A0",
             "createdAt": "2023-11-14T22:13:20Z"}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let delivery = try decoder.decode(DeliveryView.self, from: Data(json.utf8))
        let lines = DeliveryLogCSV.render([delivery]).components(separatedBy: "\r\n")
        #expect(lines[0] == DeliveryLogCSV.header.joined(separator: ","))
        #expect(lines[1] == "d1,rollout.halted,'-pat,webhook,hooks.example.net,site contact,failed,5,'=cmd|' /C calc'!A0,2023-11-14T22:13:20Z,")
    }
}
