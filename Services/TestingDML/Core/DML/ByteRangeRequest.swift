/// What a `Range` request header asks of a file of a known size: one byte range
/// (`bytes=a-b`, `bytes=a-`, `bytes=-n`), answered with 206; the whole file when there is
/// no header or one this server does not serve (several ranges, another unit: RFC 9110 lets
/// a server ignore it); or nothing it can satisfy (416).
public enum ByteRangeRequest: Sendable, Equatable {
    case whole
    /// Inclusive first and last byte.
    case part(first: Int64, last: Int64)
    case unsatisfiable

    /// The request's answer for a file of `size` bytes given its `Range` header.
    public init(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count).filter { $0 != " " }
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), bounds[0].count < 19, bounds[1].count < 19 else {
            self = .whole
            return
        }
        switch (Int64(bounds[0]), Int64(bounds[1])) {
        case (let first?, let last?) where first <= last:
            self = first < size ? .part(first: first, last: min(last, size - 1)) : .unsatisfiable
        case (let first?, nil) where bounds[1].isEmpty:
            self = first < size ? .part(first: first, last: size - 1) : .unsatisfiable
        case (nil, let suffix?) where bounds[0].isEmpty:
            self = suffix > 0 && size > 0 ? .part(first: max(size - suffix, 0), last: size - 1) : .unsatisfiable
        default:
            // `bytes=5-2` or `bytes=-`: malformed, so ignored (RFC 9110, 14.2).
            self = .whole
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
