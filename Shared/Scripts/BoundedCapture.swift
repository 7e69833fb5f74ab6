import Foundation

/// The first `limit` bytes of a stream, and how many more there were.
struct BoundedCapture: Sendable {
    let limit: Int
    private(set) var kept: [UInt8] = []
    private(set) var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let room = max(0, limit - kept.count)
        kept.append(contentsOf: bytes.prefix(room))
        dropped += bytes.count - min(room, bytes.count)
    }

    /// The kept bytes as text; NUL (which PostgreSQL text cannot hold) becomes U+FFFD.
    var text: String {
        String(decoding: kept, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}
