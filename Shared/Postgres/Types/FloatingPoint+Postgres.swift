/// Shared rules for `Double` and `Float`: float4, float8 and numeric decode (numeric may
/// lose precision, as with any binary floating point); infinities and NaN use PostgreSQL's
/// spellings in both directions.
enum PostgresFloatCoding {
    static func accepts(_ type: PostgresDataType) -> Bool {
        type == .float4 || type == .float8 || type == .numeric
    }

    static func encode<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift prints the shortest text that reads back to the same value, e.g. 1e-05.
        return value.description
    }

    static func decode<Value: LosslessStringConvertible>(_ text: String) throws(PostgresDecodingError.Reason) -> Value {
        // Swift's parser accepts PostgreSQL's "Infinity", "-Infinity" and "NaN" as well.
        guard let value = Value(text) else {
            throw .invalidValue("not a number")
        }
        return value
    }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .float8 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(PostgresFloatCoding.encode(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresFloatCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Double {
        try PostgresFloatCoding.decode(text)
    }
}

extension Float: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .float4 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(PostgresFloatCoding.encode(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresFloatCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Float {
        try PostgresFloatCoding.decode(text)
    }
}
