import Contracts
import Testing

/// The one rule for short single-line texts (keys, names, versions, reasons).
@Suite("ShortText: 1 to max code points, no control characters")
struct ShortTextTests {
    @Test("counts code points as PostgreSQL's length() does, not grapheme clusters")
    func countsCodePoints() {
        // One grapheme cluster of 41 code points: fits a 40-"character" Swift count, not a CHECK.
        let combining = "e" + String(repeating: "\u{301}", count: 40)
        #expect(combining.count == 1)
        #expect(ShortText.problem(combining, max: 40) != nil)
        #expect(ShortText.problem(String(repeating: "é", count: 40), max: 40) == nil)
    }

    @Test("empty, too long, NUL, line breaks, DEL and C1 controls are refused; other Unicode is fine", arguments: [
        ("", false), (String(repeating: "x", count: 41), false), ("a\u{0}b", false), ("a\nb", false), ("a\u{7F}", false),
        ("a\u{85}b", false), ("REL-000042", true), ("Zürich 東京 ✓", true),
    ])
    func refusesWhatIsNotShortText(_ text: String, _ fine: Bool) throws {
        #expect((ShortText.problem(text, max: 40) == nil) == fine)
        if fine { return }
        do {
            try ShortText.check(text, field: "name", max: 40, rule: "demo.name")
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.kind == .validation && error.rule == "demo.name" && error.fields?["name"] != nil)
        }
    }
}
