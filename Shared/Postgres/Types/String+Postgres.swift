extension String: PostgresEncodable, PostgresDecodable {
    /// Sent untyped so the server infers the type from context: the same `String` works
    /// for text, varchar, enum, uuid and json columns.
    public static var postgresDataType: PostgresDataType { .unknown }

    public func postgresEncoded() -> PostgresBind.Payload {
        .text(self)
    }

    /// Text-like types, their relatives whose text form is meaningful as a string (json,
    /// jsonb, uuid, xml) and user-defined types such as enums.
    public static func accepts(_ type: PostgresDataType) -> Bool {
        textLikeTypes.contains(type) || type.isUserDefined
    }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> String {
        text
    }

    static let textLikeTypes: Set<PostgresDataType> = [
        .text, .varchar, .bpchar, .name, .char, .unknownLiteral, .json, .jsonb, .uuid, .xml,
    ]
}
