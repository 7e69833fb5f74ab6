import Foundation

/// Nested rows that a query aggregates into JSON text (`json_agg`) in the same statement, so
/// a record and its children come back in one round trip. Dates inside are written by the
/// SQL as `YYYY-MM-DDTHH:MM:SSZ` (``StoredJSON/utcTimestamp``), which ISO 8601 decoding reads.
enum StoredJSON {
    /// The SQL format string of a UTC timestamp in the aggregated JSON.
    static let utcTimestamp = "YYYY-MM-DD\"T\"HH24:MI:SS\"Z\""

    static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(text.utf8))
    }
}
