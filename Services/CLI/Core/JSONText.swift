import Foundation

/// JSON output as the API gave it: the response body re-serialized only for layout (pretty
/// or one line, keys sorted, slashes unescaped), never through the generated types, so a
/// field this CLI does not know still shows.
public enum JSONText {
    public struct NotJSON: Error, CustomStringConvertible {
        public var description: String { "the server's answer is not JSON" }
    }

    public static func pretty(_ data: Data) throws -> String {
        try render(data, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// One line, for streams (`release watch --output json`: one object per line).
    public static func compact(_ data: Data) throws -> String {
        try render(data, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Several pages of a list (`--all`) as one `{"items": [...]}` object: the items of each
    /// page in order, without the cursors.
    public static func mergedItems(pages: [Data]) throws -> Data {
        var items: [Any] = []
        for page in pages {
            guard let object = try? JSONSerialization.jsonObject(with: page) as? [String: Any],
                  let pageItems = object["items"] as? [Any]
            else { throw NotJSON() }
            items.append(contentsOf: pageItems)
        }
        return try JSONSerialization.data(withJSONObject: ["items": items])
    }

    private static func render(_ data: Data, options: JSONSerialization.WritingOptions) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { throw NotJSON() }
        let text = try JSONSerialization.data(withJSONObject: object, options: options.union(.fragmentsAllowed))
        return String(decoding: text, as: UTF8.self)
    }
}
