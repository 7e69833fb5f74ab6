extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .bool }

    public func postgresEncoded() -> PostgresBind.Payload {
        .text(self ? "t" : "f")
    }

    public static func accepts(_ type: PostgresDataType) -> Bool {
        type == .bool
    }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Bool {
        switch text {
        case "t": true
        case "f": false
        default: throw .invalidValue("not a boolean")
        }
    }
}
