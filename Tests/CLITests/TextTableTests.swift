@testable import CLICore
import Testing

@Suite("CLI tables")
struct TextTableTests {
    @Test("columns two spaces apart, no trailing spaces, header only when empty")
    func layout() {
        let table = TextTable(header: ["KEY", "PHASE", "TITLE"], rows: [["REL-000001", "plan", "Payments"], ["REL-000002", "review", "X"]])
        #expect(table.text == """
            KEY         PHASE   TITLE
            REL-000001  plan    Payments
            REL-000002  review  X

            """)
        #expect(TextTable(header: ["A", "B"], rows: []).text == "A  B\n")
    }

    @Test("a table too wide shrinks its widest column and cuts cells with …; every line fits 80")
    func fitsEighty() {
        let title = String(repeating: "Quarterly payments platform upgrade ", count: 4)
        let table = TextTable(header: ["KEY", "PHASE", "STATUS", "TITLE"],
                              rows: [["REL-000001", "rollout_plan", "pending_approval", title]])
        let lines = table.text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines[1].hasPrefix("REL-000001  rollout_plan  pending_approval  Quarterly"))
        #expect(lines[1].hasSuffix("…"))
        #expect(lines[1].count == 80)
    }

    @Test("many wide columns shrink evenly, never below four characters")
    func evenShrink() {
        #expect(TextTable.fit(natural: [40, 40, 40], width: 80) == [26, 25, 25])
        #expect(TextTable.fit(natural: [10, 10], width: 80) == [10, 10])
        #expect(TextTable.fit(natural: Array(repeating: 30, count: 20), width: 80) == Array(repeating: 4, count: 20))
        let crowded = TextTable(header: Array(repeating: "COLUMN", count: 20), rows: []).text
        #expect(crowded.count == 81 && crowded.hasSuffix("…\n"))
    }

    @Test("truncation counts characters, not bytes; newlines in cells become spaces")
    func characters() {
        #expect(CellText.truncate("Zürich–Genève", to: 8) == "Zürich–…")
        #expect(CellText.truncate("short", to: 8) == "short")
        #expect(CellText.truncate("abc", to: 0) == "")
        #expect(TextTable(header: ["A"], rows: [["two\nlines"]]).text == "A\ntwo lines\n")
    }

    @Test("field lists pad labels, skip missing values and cut long ones")
    func fieldList() {
        let list = FieldList([("key", "REL-000001"), ("template", nil), ("description", String(repeating: "d", count: 100))])
        let lines = list.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "key          REL-000001")
        #expect(lines[1].count == 80 && lines[1].hasPrefix("description  ddd") && lines[1].hasSuffix("…"))
    }
}
