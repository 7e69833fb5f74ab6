import Foundation

extension Data: PostgresEncodable, PostgresDecodable {
    /// Sent as `bytea` in binary format, so every byte value (including NUL) survives.
    public static var postgresDataType: PostgresDataType { .bytea }

    public func postgresEncoded() -> PostgresBind.Payload {
        .binary([UInt8](self))
    }

    public static func accepts(_ type: PostgresDataType) -> Bool {
        type == .bytea
    }

    /// Reads the `\x0a1b…` hex form (`bytea_output=hex` is set on every connection).
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Data {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0, utf8.starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "x")]) else {
            throw .invalidValue("bytea is not in hex format")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var iterator = utf8.dropFirst(2).makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = HexDigit.value(high), let l = HexDigit.value(low) else {
                throw .invalidValue("bytea contains a non-hex digit")
            }
            bytes.append(h << 4 | l)
        }
        return Data(bytes)
    }
}
