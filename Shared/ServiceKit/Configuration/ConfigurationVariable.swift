/// One row of a configuration table: a variable, its default and what it means.
///
/// Services publish theirs (``ServiceConfiguration/documentation`` for the shared ones) so
/// the README's tables can be generated from, and checked against, the code.
public struct ConfigurationVariable: Sendable, Equatable {
    /// The environment variable's name.
    public let name: String
    /// The default as an operator would write it (`10s`, `127.0.0.1`), or a few words when it
    /// depends (`per service`); nil when the variable is required.
    public let defaultValue: String?
    /// What it sets, in a few words.
    public let meaning: String
    /// Whether the value is a secret (never echoed, redacted in descriptions).
    public let secret: Bool

    /// Creates a row; `defaultValue: nil` means the variable is required.
    public init(_ name: String, default defaultValue: String?, _ meaning: String, secret: Bool = false) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.secret = secret
    }

    /// A Markdown table of `rows` with columns variable, default, meaning. Defaults that are
    /// values are set as code; defaults in words (containing a space) are not.
    public static func markdownTable(_ rows: [ConfigurationVariable]) -> String {
        let header = "| variable | default | meaning |\n|---|---|---|\n"
        return header
            + rows.map { row in
                let fallback = row.defaultValue.map { $0.contains(" ") ? $0 : "`\($0)`" } ?? "required"
                let meaning = row.secret ? "\(row.meaning) (secret)" : row.meaning
                return "| `\(row.name)` | \(fallback) | \(meaning) |"
            }.joined(separator: "\n") + "\n"
    }
}
