import CLibPQ

extension LibPQConnection {
    /// Builds a ``PostgresError`` from a failed result (or from the connection when libpq
    /// returned no result). Keeps the server's identifiers, drops DETAIL (it echoes key
    /// values) and redacts bound values quoted in the primary message.
    func makeError(_ result: OpaquePointer?, binds: [PostgresBind]) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        var message: String
        if let primary = field(UInt8(ascii: "M")) {
            message = primary
        } else if let result, let text = PQresultErrorMessage(result), text.pointee != 0 {
            message = String(cString: text)
        } else {
            message = errorMessage()
        }
        message = scrub(Self.redact(message, binds: binds))

        // FATAL means the backend is ending the session even if libpq has not yet seen the
        // socket close (e.g. 57P01 after pg_terminate_backend).
        let severity = field(UInt8(ascii: "V")) ?? field(UInt8(ascii: "S"))
        if severity == "FATAL" || severity == "PANIC" { receivedFatal = true }
        let code: PostgresError.Code
        if PQstatus(pointer) == CONNECTION_BAD || receivedFatal || sqlState?.hasPrefix("08") == true {
            code = .connectionLost
        } else if let sqlState {
            code = PostgresError.Code(sqlState: sqlState)
        } else {
            code = .other("")
        }
        return PostgresError(
            code: code, sqlState: sqlState, message: message,
            severity: severity,
            schemaName: field(UInt8(ascii: "s")), tableName: field(UInt8(ascii: "t")),
            columnName: field(UInt8(ascii: "c")), constraintName: field(UInt8(ascii: "n")))
    }

    /// Replaces `"<value>"` for every bound text value, e.g.
    /// `invalid input syntax for type integer: "abc"` → `… integer: "<redacted>"`.
    static func redact(_ message: String, binds: [PostgresBind]) -> String {
        var message = message
        for bind in binds {
            guard let text = bind.textForRedaction, !text.isEmpty else { continue }
            message = message.replacing("\"\(text)\"", with: "\"<redacted>\"")
        }
        return message
    }
}
