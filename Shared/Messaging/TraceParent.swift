import Foundation

/// A W3C Trace Context `traceparent` (version 00): `00-<32 hex trace id>-<16 hex parent
/// id>-<2 hex flags>`. The gateway takes a well-formed one from the request (or starts a new
/// trace), sends it in the command's AMQP header `traceparent`, and the consumer logs it, so
/// one request can be followed from the HTTP edge into the service that executed it.
/// Anything malformed is dropped, never copied into logs or headers.
public struct TraceParent: Sendable, Equatable, CustomStringConvertible {
    /// The AMQP header (and HTTP header) name.
    public static let header = "traceparent"

    public let traceID: String
    public let parentID: String
    public let flags: String

    /// Parses `text`; nil unless it is exactly a version-00 traceparent with non-zero ids.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "00", Self.isHex(parts[1], count: 32), Self.isHex(parts[2], count: 16),
              Self.isHex(parts[3], count: 2), parts[1] != String(repeating: "0", count: 32),
              parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        traceID = parts[1]
        parentID = parts[2]
        flags = parts[3]
    }

    private init(traceID: String, parentID: String, flags: String) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace (sampled flag off) for a request that came without one.
    public static func fresh() -> TraceParent {
        TraceParent(traceID: randomHex(bytes: 16), parentID: randomHex(bytes: 8), flags: "00")
    }

    /// The same trace with a new parent id: the span of this hop.
    public func child() -> TraceParent {
        TraceParent(traceID: traceID, parentID: Self.randomHex(bytes: 8), flags: flags)
    }

    public var description: String { "00-\(traceID)-\(parentID)-\(flags)" }

    private static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count
            && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `bytes` random bytes as lowercase hex, never all zero (W3C forbids zero ids). The
    /// gateway makes three of these per request, so no `String(format:)` per byte.
    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: bytes * 2) { buffer in
            var index = 0
            while index < bytes * 2 {
                var word = generator.next()
                for _ in 0..<8 where index < bytes * 2 {
                    buffer[index] = digits[Int(word & 0xF)]
                    buffer[index + 1] = digits[Int((word >> 4) & 0xF)]
                    word >>= 8
                    index += 2
                }
            }
            if buffer[0..<(bytes * 2)].allSatisfy({ $0 == UInt8(ascii: "0") }) { buffer[0] = UInt8(ascii: "1") }
            return bytes * 2
        }
    }
}
