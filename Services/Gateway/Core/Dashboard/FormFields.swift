import Foundation

/// The fields of an `application/x-www-form-urlencoded` text, as browsers send forms: in a
/// POST body and in the query of a GET form. `+` is a space, `%XX` a byte of UTF-8; a
/// value whose escapes are not UTF-8 becomes U+FFFD (it then matches no choice and no
/// token). The first of repeated names wins; names and values are kept as sent otherwise.
public struct FormFields: Sendable, Equatable {
    public let values: [String: String]

    public init(_ text: String) {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decoded(parts[0]), value = parts.count == 2 ? Self.decoded(parts[1]) : ""
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    public subscript(name: String) -> String? { values[name] }

    /// The characters a value keeps unescaped in a link: RFC 3986's unreserved ones.
    public static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func decoded(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "\u{FFFD}"
    }
}
