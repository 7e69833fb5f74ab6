import Postgres

/// Release keys: `REL-` and at least six digits, from a sequence (gaps are possible when a
/// transaction rolls back; keys are never reused).
public enum ReleaseKeys {
    /// The sequence keys are drawn from (`nextval` of it gives the number of the next key).
    public static func sequence(schema: String) -> String { schema + ".release_key_seq" }

    /// The key of release number `number`: the one place a key is written.
    public static func key(number: Int64) -> String {
        let digits = String(number)
        return "REL-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The next key, drawn in the caller's transaction.
    public static func next(schema: String = PlanningSchema.name, in transaction: PostgresTransaction) async throws -> String {
        let rows = try await transaction.query(
            "SELECT nextval(\(sequence(schema: schema))::regclass)", label: "next release key")
        return key(number: try rows.single().decode(at: 0, as: Int64.self))
    }

    /// True for a well-formed key.
    public static func isValid(_ key: String) -> Bool {
        key.hasPrefix("REL-") && key.count >= 10 && key.dropFirst(4).allSatisfy(\.isASCII) && key.dropFirst(4).allSatisfy(\.isNumber)
    }
}
