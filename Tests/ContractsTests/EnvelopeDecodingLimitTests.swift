import Contracts
import Foundation
import Testing

private struct Note: MessageContract, Equatable {
    static let messageType = "test.note"
    var text: String
}

/// Envelope fields that travel as AMQP properties or log fields are limited when decoded
/// (issue 8, item 1). Only JSON goes in, so the same tests run against any version.
@Suite("Contracts: envelope fields are limited when decoded")
struct EnvelopeDecodingLimitTests {
    /// A marker that must never appear in an error: the value itself.
    static let marker = "SECRET-VALUE-"

    static func json(type: String = "test.note", correlationId: String = "REL-000001", actor: String = "alice") throws -> Data {
        let fields: [String: Any] = [
            "id": "5B1F6D0E-7C1A-4E8B-9A41-2D6C7E3F9A10", "type": type, "version": 1,
            "occurredAt": "2026-11-26T17:00:00Z", "correlationId": correlationId, "actor": actor,
            "payload": ["text": "hello"],
        ]
        return try JSONSerialization.data(withJSONObject: fields)
    }

    /// Decodes `data` as an envelope and as a header; both must fail the same way.
    static func expectRefused(_ data: Data, field: String, rule: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let decodings: [(String, () throws -> Void)] = [
            ("Envelope", { _ = try ContractCoding.decode(Envelope<Note>.self, from: data) }),
            ("EnvelopeHeader", { _ = try ContractCoding.decode(EnvelopeHeader.self, from: data) }),
        ]
        for (name, decode) in decodings {
            do {
                try decode()
                Issue.record("\(name) decoded a \(field) that breaks its limit", sourceLocation: sourceLocation)
            } catch let DecodingError.dataCorrupted(context) {
                #expect(context.codingPath.map(\.stringValue) == [field], "\(name)", sourceLocation: sourceLocation)
                #expect(context.debugDescription.contains(rule), "\(name): \(context.debugDescription)", sourceLocation: sourceLocation)
                #expect(!String(describing: DecodingError.dataCorrupted(context)).contains(marker), sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(name): expected dataCorrupted, got \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("type, correlationId and actor: more than 255 UTF-8 bytes (or none) is a decoding error naming the field and the rule, not the value")
    func lengths() throws {
        // 128 × "é" is 128 characters but 256 bytes: the limit counts bytes, as AMQP does.
        let long = Self.marker + String(repeating: "é", count: 128)
        for field in ["type", "correlationId", "actor"] {
            let values = ["type": "test.note", "correlationId": "REL-000001", "actor": "alice"]
            for bad in [long, ""] {
                var fields = values
                fields[field] = bad
                Self.expectRefused(
                    try Self.json(type: fields["type"]!, correlationId: fields["correlationId"]!, actor: fields["actor"]!),
                    field: field, rule: "must be 1 to 255 UTF-8 bytes")
            }
        }
        // Exactly 255 bytes of multi-byte text decodes.
        let longest = String(repeating: "€", count: 85)
        #expect(longest.utf8.count == 255)
        let envelope = try ContractCoding.decode(
            Envelope<Note>.self, from: try Self.json(type: longest, correlationId: longest, actor: longest))
        #expect(envelope.correlationId == longest && envelope.actor == longest && envelope.type == longest)
    }

    @Test("type, correlationId and actor: NUL, line breaks, escape, DEL and C1 controls are decoding errors; other Unicode is fine")
    func controlCharacters() throws {
        for control in ["\u{0}", "\n", "\r", "\t", "\u{1B}[31m", "\u{7F}", "\u{85}", "\u{9F}"] {
            let bad = Self.marker + control
            Self.expectRefused(try Self.json(type: bad), field: "type", rule: "must not contain control characters")
            Self.expectRefused(try Self.json(correlationId: bad), field: "correlationId", rule: "must not contain control characters")
            Self.expectRefused(try Self.json(actor: bad), field: "actor", rule: "must not contain control characters")
        }
        let fine = "Zoë O'Brien ✓ 日本 \u{A0}\u{A0}\u{2028} 🚀 \\ \""
        let header = try ContractCoding.decode(EnvelopeHeader.self, from: try Self.json(correlationId: fine, actor: fine))
        #expect(header.actor == fine && header.correlationId == fine)
    }
}
