import Postgres

/// Release keys: `REL-` and at least six digits, from a sequence (gaps are possible when a
/// transaction rolls back; keys are never reused).
public enum ReleaseKeys {
    /// The next key, drawn in the caller's transaction.
    public static func next(schema: String = PlanningSchema.name, in transaction: PostgresTransaction) async throws -> String {
        let rows = try await transaction.query(
            "SELECT 'REL-' || lpad(nextval(\(schema + ".release_key_seq")::regclass)::text, 6, '0')", label: "next release key")
        return try rows.single().decode(at: 0, as: String.self)
    }

    /// True for a well-formed key.
    public static func isValid(_ key: String) -> Bool {
        key.hasPrefix("REL-") && key.count >= 10 && key.dropFirst(4).allSatisfy(\.isASCII) && key.dropFirst(4).allSatisfy(\.isNumber)
    }
}
