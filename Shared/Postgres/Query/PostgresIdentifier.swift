/// Rules for SQL identifiers that must be spliced into SQL text (LISTEN channels, schema and
/// table names), because PostgreSQL cannot take them as bound parameters.
public enum PostgresIdentifier {
    /// True for `[A-Za-z_][A-Za-z0-9_]{0,62}`: plain ASCII names within PostgreSQL's 63-byte limit.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, isStart(first) else { return false }
        return bytes.dropFirst().allSatisfy { isStart($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// True for a lowercase channel name `^[a-z_][a-z0-9_]{0,62}$` (what `PostgresListener` accepts).
    public static func isValidChannel(_ name: String) -> Bool {
        isValid(name) && !name.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// Double-quotes a name that ``isValid(_:)`` accepted (quoting keeps case and reserved
    /// words intact). Valid names contain no `"`, so nothing inside needs escaping.
    static func quoted(_ name: String) -> String {
        "\"" + name + "\""
    }

    private static func isStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
    }
}
