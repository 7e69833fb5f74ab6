import Foundation

/// JSON coding for everything on the wire: ISO-8601 dates with fractional seconds,
/// sorted keys (stable bytes for hashing and comparing), unknown fields ignored.
public enum ContractCoding {
    private static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let plainDateStyle = Date.ISO8601FormatStyle()

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(dateStyle))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: dateStyle) { return date }
            if let date = try? Date(text, strategy: plainDateStyle) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 date")
        }
        return decoder
    }

    // One configured instance each, shared: building a coder with its date strategy per call
    // showed up in profiles of the command path, and JSONEncoder/JSONDecoder are Sendable
    // (their options are read under a lock; nobody changes them after this).
    private static let sharedEncoder = encoder()
    private static let sharedDecoder = decoder()

    /// Encodes a value as contract JSON.
    public static func encode(_ value: some Encodable) throws -> Data {
        try sharedEncoder.encode(value)
    }

    /// Decodes contract JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try sharedDecoder.decode(type, from: data)
    }
}
