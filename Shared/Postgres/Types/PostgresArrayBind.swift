import Foundation

/// One-dimensional PostgreSQL arrays as bound parameters in binary form (`array_send`'s
/// layout), so that any number of rows go in one statement of constant text through
/// `unnest` (the outbox, a work plan's tasks) and bodies travel as raw bytes (no hex or
/// escaping).
///
/// Layout: ndim (1), has-nulls flag (0), element type OID, length, lower bound (1), then per
/// element its byte count and bytes. Elements are never NULL here; an empty array has no
/// dimensions.
public enum PostgresArrayBind {
    public static let uuidArray = PostgresDataType(rawValue: 2951)
    public static let textArray = PostgresDataType(rawValue: 1009)
    public static let byteaArray = PostgresDataType(rawValue: 1001)

    /// `uuid[]`: 16 bytes per element.
    public static func uuids(_ values: [UUID]) -> PostgresBind {
        array(of: .uuid, as: uuidArray, values.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } })
    }

    /// `text[]`: UTF-8 bytes per element (the server checks the encoding; NUL is refused).
    public static func texts(_ values: [String]) -> PostgresBind {
        array(of: .text, as: textArray, values.map { Array($0.utf8) })
    }

    /// `bytea[]`: the bytes themselves.
    public static func byteas(_ values: [Data]) -> PostgresBind {
        array(of: .bytea, as: byteaArray, values.map { [UInt8]($0) })
    }

    /// `int8[]`.
    public static func int64s(_ values: [Int64]) -> PostgresBind {
        array(of: .int8, as: PostgresDataType(rawValue: 1016), values.map { value in
            withUnsafeBytes(of: value.bigEndian) { Array($0) }
        })
    }

    /// `int4[]`.
    public static func int32s(_ values: [Int32]) -> PostgresBind {
        array(of: .int4, as: PostgresDataType(rawValue: 1007), values.map { value in
            withUnsafeBytes(of: value.bigEndian) { Array($0) }
        })
    }

    private static func array(of element: PostgresDataType, as type: PostgresDataType, _ elements: [[UInt8]]) -> PostgresBind {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + elements.reduce(0) { $0 + 4 + $1.count })
        func append(_ value: Int32) { withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) } }
        // An empty array has no dimensions at all.
        append(elements.isEmpty ? 0 : 1)
        append(0)
        append(Int32(bitPattern: element.rawValue))
        if !elements.isEmpty {
            append(Int32(clamping: elements.count))
            append(1)
        }
        for element in elements {
            append(Int32(clamping: element.count))
            bytes.append(contentsOf: element)
        }
        return PostgresBind(dataType: type, payload: .binary(bytes))
    }
}
