/// Shared rules for the integer conformances: any of int2/int4/int8 decodes into any Swift
/// integer width, and a value that does not fit is an error rather than a truncation.
enum PostgresIntegerCoding {
    static func accepts(_ type: PostgresDataType) -> Bool {
        type == .int2 || type == .int4 || type == .int8
    }

    static func decode<Value: FixedWidthInteger>(_ text: String) throws(PostgresDecodingError.Reason) -> Value {
        guard let wide = Int64(text) else {
            throw .invalidValue("not an integer")
        }
        guard let value = Value(exactly: wide) else {
            throw .outOfRange
        }
        return value
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(String(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresIntegerCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Int {
        try PostgresIntegerCoding.decode(text)
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(String(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresIntegerCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Int64 {
        try PostgresIntegerCoding.decode(text)
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int4 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(String(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresIntegerCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Int32 {
        try PostgresIntegerCoding.decode(text)
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int2 }
    public func postgresEncoded() -> PostgresBind.Payload { .text(String(self)) }
    public static func accepts(_ type: PostgresDataType) -> Bool { PostgresIntegerCoding.accepts(type) }
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Int16 {
        try PostgresIntegerCoding.decode(text)
    }
}
