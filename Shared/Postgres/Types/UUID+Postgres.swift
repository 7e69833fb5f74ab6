import Foundation

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .uuid }

    public func postgresEncoded() -> PostgresBind.Payload {
        .text(uuidString.lowercased())
    }

    /// `uuid` columns, and text columns holding a UUID.
    public static func accepts(_ type: PostgresDataType) -> Bool {
        type == .uuid || type == .text || type == .varchar || type == .unknownLiteral
    }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> UUID {
        guard let uuid = UUID(uuidString: text) else {
            throw .invalidValue("not a UUID")
        }
        return uuid
    }
}
