/// The limits on envelope fields that travel as AMQP properties (short strings, at most 255
/// bytes) or as log fields: the one home for them. Envelope decoding enforces them, and the
/// outbox checks them before it stores a message, so a message the broker would refuse never
/// reaches it and one that got there anyway is refused at the door of every consumer.
///
/// - `type`, `correlationId` and `actor`: 1 to 255 UTF-8 bytes, no control characters
///   (C0, DEL or C1: Unicode category Cc, NUL included).
/// - Every problem is stated as the rule broken, never with the value: values may be long,
///   hostile or private, and these texts go into errors, dead-letter headers and logs.
/// - Checks are byte counts and one scan of at most 255 bytes: envelope decoding is on the
///   path of every message.
public enum EnvelopeLimits {
    /// The longest AMQP short string (type, correlation id, routing key, exchange), in bytes.
    public static let maxShortStringBytes = 255
    /// The UTF-8 length of `type`.
    public static let typeBytes: ClosedRange<Int> = 1...maxShortStringBytes
    /// The UTF-8 length of `correlationId`.
    public static let correlationIdBytes: ClosedRange<Int> = 1...maxShortStringBytes
    /// The UTF-8 length of `actor`.
    public static let actorBytes: ClosedRange<Int> = 1...maxShortStringBytes

    /// What is wrong with `text` as a field of `bytes` UTF-8 bytes without control characters,
    /// as a rule ("must be 1 to 255 UTF-8 bytes"); nil when nothing is. Never contains `text`.
    public static func problem(_ text: String, bytes: ClosedRange<Int>) -> String? {
        let count = text.utf8.count
        guard bytes.contains(count) else {
            return "must be \(bytes.lowerBound) to \(bytes.upperBound) UTF-8 bytes"
        }
        return containsControlCharacters(text) ? "must not contain control characters" : nil
    }

    /// What is wrong with an envelope's `type`; see ``problem(_:bytes:)``.
    public static func typeProblem(_ type: String) -> String? {
        problem(type, bytes: typeBytes)
    }

    /// What is wrong with an envelope's `correlationId`; see ``problem(_:bytes:)``.
    public static func correlationIdProblem(_ correlationId: String) -> String? {
        problem(correlationId, bytes: correlationIdBytes)
    }

    /// What is wrong with an envelope's `actor`; see ``problem(_:bytes:)``.
    public static func actorProblem(_ actor: String) -> String? {
        problem(actor, bytes: actorBytes)
    }

    /// Every limited field of `envelope` that breaks its rule: field name → rule. Empty when
    /// the envelope can travel.
    public static func problems<Payload>(of envelope: Envelope<Payload>) -> [String: String] {
        var problems: [String: String] = [:]
        problems["type"] = typeProblem(envelope.type)
        problems["correlationId"] = correlationIdProblem(envelope.correlationId)
        problems["actor"] = actorProblem(envelope.actor)
        return problems
    }

    /// True when `text` holds a control character: a byte below 0x20, 0x7F, or a C1 control
    /// (U+0080...U+009F, encoded 0xC2 0x80...0x9F). One pass over the UTF-8 bytes; no other
    /// multi-byte sequence can contain those bytes, as continuation bytes are 0x80...0xBF and
    /// lead bytes at least 0xC2.
    public static func containsControlCharacters(_ text: String) -> Bool {
        var afterC2 = false
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F) { return true }
            afterC2 = byte == 0xC2
        }
        return false
    }
}
