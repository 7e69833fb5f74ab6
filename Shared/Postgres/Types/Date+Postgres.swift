import Foundation

extension Date: PostgresEncodable, PostgresDecodable {
    /// Sent as `timestamptz` in UTC with microseconds (PostgreSQL's resolution).
    public static var postgresDataType: PostgresDataType { .timestamptz }

    public func postgresEncoded() throws -> PostgresBind.Payload {
        let micros = (timeIntervalSinceReferenceDate * 1_000_000).rounded()
        // ±2^62 µs is about ±146,000 years: far inside Int64 and the day arithmetic.
        guard micros.isFinite, abs(micros) < 4.6e18 else {
            throw PostgresEncodingError(.valueOutOfRange(type: "Date"))
        }
        return .text(PostgresTimestamp.format(microsecondsSinceReference: Int64(micros)))
    }

    /// `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC).
    public static func accepts(_ type: PostgresDataType) -> Bool {
        type == .timestamptz || type == .timestamp || type == .date
    }

    /// `infinity` and `-infinity` map to `distantFuture` and `distantPast`.
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Date {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default:
            guard let micros = PostgresTimestamp.parse(text) else {
                throw .invalidValue("not a timestamp in ISO format")
            }
            return Date(timeIntervalSinceReferenceDate: Double(micros) / 1_000_000)
        }
    }
}
