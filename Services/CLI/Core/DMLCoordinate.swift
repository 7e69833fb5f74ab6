/// An entry of the Definitive Media Library as a user names it: `NAME@VERSION`, e.g.
/// `payroll@4.2.0`. The version follows the last `@` (a name may hold one, a version not);
/// both must be non-empty, the name at most 100 characters and the version at most 50
/// (the DML's limits), without control characters.
public struct DMLCoordinate: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let version: String

    public init?(_ text: String) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let name = String(text[..<at]), version = String(text[text.index(after: at)...])
        guard Self.acceptable(name, max: 100), Self.acceptable(version, max: 50) else { return nil }
        self.name = name
        self.version = version
    }

    public var description: String { "\(name)@\(version)" }

    /// A file name for the entry's archive in the current folder: `NAME-VERSION.tar.gz`, with
    /// anything that is not a letter, digit, `.`, `-` or `_` as `_` (so no `/` or `..` path).
    public var archiveFileName: String {
        let safe = "\(name)-\(version)".map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" }
        let text = String(safe)
        return (text.hasPrefix(".") ? "_" + text.dropFirst() : text) + ".tar.gz"
    }

    static func acceptable(_ text: String, max: Int) -> Bool {
        !text.isEmpty && text.count <= max && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
