/// SQL text with `$1…$n` placeholders and the values bound to them.
///
/// Write queries with string interpolation: every `\(value)` becomes the next `$n` and a
/// bound parameter, so a value can never be spliced into the SQL text:
///
/// ```swift
/// let rows = try await connection.query("SELECT id FROM releases WHERE name = \(name) AND status = \(status)")
/// ```
///
/// Raw SQL needs the visibly unsafe ``init(unsafeSQL:binds:)``.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    /// The SQL text; values appear only as `$n` placeholders.
    public private(set) var sql: String
    /// The bound values, `$1` first.
    public private(set) var binds: [PostgresBind]
    /// The first value or identifier that could not be encoded; the query fails when run.
    var deferredError: PostgresEncodingError.Reason?

    /// Raw SQL with explicit binds. The caller vouches that `unsafeSQL` contains no
    /// untrusted text: use interpolation for anything that comes from input.
    public init(unsafeSQL: String, binds: [PostgresBind] = []) {
        self.sql = unsafeSQL
        self.binds = binds
        self.deferredError = nil
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
        self.deferredError = stringInterpolation.deferredError
    }
}

extension PostgresQuery: CustomStringConvertible {
    /// The SQL text and the parameter types, never the values.
    public var description: String {
        "PostgresQuery(\(sql), binds: [\(binds.map(\.dataType.name).joined(separator: ", "))])"
    }
}
