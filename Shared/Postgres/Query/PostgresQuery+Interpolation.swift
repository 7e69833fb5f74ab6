import Foundation

extension PostgresQuery {
    /// Builds the SQL text and binds for ``PostgresQuery``'s string interpolation.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var binds: [PostgresBind]
        var deferredError: PostgresEncodingError.Reason?

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        /// SQL text written in the source code.
        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next `$n`.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            append(PostgresBind(value))
        }

        /// Binds an optional value as the next `$n`; `nil` is SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            append(PostgresBind(value))
        }

        /// Binds a prepared ``PostgresBind`` as the next `$n`.
        public mutating func appendInterpolation(bind: PostgresBind) {
            append(bind)
        }

        /// Binds the JSON encoding of `value` as the next `$n` (type left to the server, so
        /// it fits `json` and `jsonb` columns).
        public mutating func appendInterpolation<Value: Encodable>(json value: Value) {
            do {
                let data = try JSONEncoder().encode(value)
                append(PostgresBind(dataType: .unknown, payload: .text(String(decoding: data, as: UTF8.self))))
            } catch {
                recordFailure(.encodingFailed(type: "\(Value.self)"))
                append(.null())
            }
        }

        /// Splices a quoted identifier (schema, table, channel name) into the SQL text.
        /// Only names matching `[A-Za-z_][A-Za-z0-9_]{0,62}` are accepted; anything else makes
        /// the query fail when run. Identifiers cannot be bound parameters.
        public mutating func appendInterpolation(identifier: String) {
            if PostgresIdentifier.isValid(identifier) {
                sql += PostgresIdentifier.quoted(identifier)
            } else {
                recordFailure(.invalidIdentifier)
                sql += "\"invalid identifier\""
            }
        }

        private mutating func append(_ bind: PostgresBind) {
            binds.append(bind)
            sql += "$\(binds.count)"
        }

        private mutating func recordFailure(_ reason: PostgresEncodingError.Reason) {
            if deferredError == nil { deferredError = reason }
        }
    }
}
