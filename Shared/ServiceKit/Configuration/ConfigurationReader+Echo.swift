extension ConfigurationReader {
    /// Name fragments that mark a variable as secret even when the caller forgot to say so.
    /// URLs count: `postgres://user:password@host` is the usual way a password arrives.
    static let secretNameFragments = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "KEY", "URL", "URI", "DSN"]

    /// The longest value that a problem may quote.
    static let longestEchoedValue = 40

    /// ` (got "value")` when quoting `value` is harmless, else an empty string.
    static func echo(_ value: String, of name: String, secret: Bool) -> String {
        guard !secret, !looksSecret(name), value.unicodeScalars.count <= longestEchoedValue,
            value.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" })
        else { return "" }
        return " (got \"\(value)\")"
    }

    /// Whether a variable's name suggests its value is a secret.
    static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretNameFragments.contains { upper.contains($0) }
    }
}
