/// The SHA-256 of an image archive, as 64 lowercase hex digits: the archive's name in every
/// store. Anything else (a path, `..`, upper case) is not a digest.
public struct ImageDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hex: String

    public init?(_ hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        self.hex = hex
    }

    public var description: String { hex }

    public static func < (lhs: ImageDigest, rhs: ImageDigest) -> Bool { lhs.hex < rhs.hex }
}
