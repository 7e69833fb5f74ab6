import Contracts
import Foundation
import Testing

/// `EnvelopeLimits`, the one home of the limits, as the outbox and other senders use it.
@Suite("Contracts: EnvelopeLimits")
struct EnvelopeLimitsTests {
    private struct Note: MessageContract {
        static let messageType = "test.note"
    }

    @Test("the control-character scan agrees with Unicode category Cc on every scalar up to U+FFFF")
    func scanMatchesUnicode() {
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(Character(scalar)) + "b"
            #expect(
                EnvelopeLimits.containsControlCharacters(text) == (scalar.properties.generalCategory == .control),
                "U+\(String(value, radix: 16))")
        }
    }

    @Test("problems(of:) names every field over its limit, by rule and never by value")
    func problemsOfEnvelope() {
        let fine = Envelope(Note(), correlationId: "REL-000001", actor: "alice")
        #expect(EnvelopeLimits.problems(of: fine).isEmpty)
        let value = "VALUE-" + String(repeating: "x", count: 300)
        let bad = Envelope(Note(), correlationId: value, actor: "bob\u{0}")
        let problems = EnvelopeLimits.problems(of: bad)
        #expect(problems == [
            "correlationId": "must be 1 to 255 UTF-8 bytes",
            "actor": "must not contain control characters",
        ])
        #expect(EnvelopeLimits.maxShortStringBytes == 255)
        #expect(EnvelopeLimits.problem(String(repeating: "é", count: 128), bytes: 1...255) != nil)
    }
}
