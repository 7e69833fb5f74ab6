import CRabbitMQ
import Foundation

/// Memory for the C structures of one rabbitmq-c call (strings, field tables, properties).
///
/// Why: `amqp_cstring_bytes(swiftString)` keeps a pointer that dies when the Swift call
/// returns, and tables need arrays of entries. Everything is copied into an `amqp_pool_t`
/// that lives until `deinit`, so pointers stay valid for the whole call. Not Sendable:
/// an arena belongs to the one job that builds and uses it.
final class CArena {
    private var pool = amqp_pool_t()

    init() {
        init_amqp_pool(&pool, 4096)
    }

    deinit {
        empty_amqp_pool(&pool)
    }

    /// Copies `bytes` into the arena.
    func bytes(_ data: some Collection<UInt8>) throws(AMQPError) -> amqp_bytes_t {
        var result = amqp_bytes_t(len: 0, bytes: nil)
        let count = data.count
        guard count > 0 else { return result }
        amqp_pool_alloc_bytes(&pool, count, &result)
        guard let base = result.bytes else {
            throw AMQPError.invalidArgument("out of memory copying \(count) bytes")
        }
        let target = base.assumingMemoryBound(to: UInt8.self)
        var index = 0
        for byte in data {
            target[index] = byte
            index += 1
        }
        return result
    }

    /// Copies a string's UTF-8 into the arena (not NUL-terminated, as AMQP strings are not).
    func bytes(_ string: String) throws(AMQPError) -> amqp_bytes_t {
        try bytes(Array(string.utf8))
    }

    /// A NUL-terminated copy of `string`, for the few calls that take `char *`.
    func cString(_ string: String) throws(AMQPError) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8)
        if utf8.contains(0) { throw AMQPError.invalidArgument("string contains a NUL byte") }
        guard let raw = amqp_pool_alloc(&pool, utf8.count + 1) else {
            throw AMQPError.invalidArgument("out of memory")
        }
        let target = raw.assumingMemoryBound(to: CChar.self)
        for (index, byte) in utf8.enumerated() { target[index] = CChar(bitPattern: byte) }
        target[utf8.count] = 0
        return UnsafePointer(target)
    }

    /// Builds an `amqp_table_t` whose entries live in the arena.
    func table(_ values: [String: AMQPFieldValue]) throws(AMQPError) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_empty_table }
        guard let raw = amqp_pool_alloc(&pool, MemoryLayout<amqp_table_entry_t>.stride * values.count) else {
            throw AMQPError.invalidArgument("out of memory")
        }
        let entries = raw.bindMemory(to: amqp_table_entry_t.self, capacity: values.count)
        // Sorted keys: deterministic encoding, easier to compare in captures.
        for (index, key) in values.keys.sorted().enumerated() {
            guard key.utf8.count <= 128 else { throw AMQPError.invalidArgument("field name longer than 128 bytes") }
            entries[index] = amqp_table_entry_t(key: try bytes(key), value: try field(values[key] ?? .void))
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }

    private func field(_ value: AMQPFieldValue) throws(AMQPError) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let s):
            field.kind = UInt8(ascii: "S")
            field.value.bytes = try bytes(s)
        case .int(let i):
            field.kind = UInt8(ascii: "l")
            field.value.i64 = i
        case .bool(let b):
            field.kind = UInt8(ascii: "t")
            field.value.boolean = b ? 1 : 0
        case .double(let d):
            field.kind = UInt8(ascii: "d")
            field.value.f64 = d
        case .bytes(let d):
            field.kind = UInt8(ascii: "x")
            field.value.bytes = try bytes(d)
        case .timestamp(let date):
            field.kind = UInt8(ascii: "T")
            field.value.u64 = UInt64(max(0, date.timeIntervalSince1970))
        case .table(let t):
            field.kind = UInt8(ascii: "F")
            field.value.table = try table(t)
        case .array(let items):
            field.kind = UInt8(ascii: "A")
            var array = amqp_array_t(num_entries: Int32(items.count), entries: nil)
            if !items.isEmpty {
                guard let raw = amqp_pool_alloc(&pool, MemoryLayout<amqp_field_value_t>.stride * items.count) else {
                    throw AMQPError.invalidArgument("out of memory")
                }
                let values = raw.bindMemory(to: amqp_field_value_t.self, capacity: items.count)
                for (index, item) in items.enumerated() { values[index] = try self.field(item) }
                array.entries = values
            }
            field.value.array = array
        case .void:
            field.kind = UInt8(ascii: "V")
        }
        return field
    }
}

extension amqp_bytes_t {
    /// Copies the bytes out (rabbitmq-c's bytes are not NUL-terminated and may be freed soon).
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }

    /// The bytes as UTF-8 text (lossy for invalid sequences).
    var string: String {
        guard len > 0, let bytes else { return "" }
        let buffer = UnsafeRawBufferPointer(start: bytes, count: len)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension amqp_table_t {
    /// Copies a C field table into Swift values.
    var fields: [String: AMQPFieldValue] {
        var result: [String: AMQPFieldValue] = [:]
        guard num_entries > 0, let entries else { return result }
        for index in 0..<Int(num_entries) {
            result[entries[index].key.string] = entries[index].value.swiftValue
        }
        return result
    }
}

extension amqp_field_value_t {
    var swiftValue: AMQPFieldValue {
        switch kind {
        case UInt8(ascii: "t"): .bool(value.boolean != 0)
        case UInt8(ascii: "b"): .int(Int64(value.i8))
        case UInt8(ascii: "B"): .int(Int64(value.u8))
        case UInt8(ascii: "s"): .int(Int64(value.i16))
        case UInt8(ascii: "u"): .int(Int64(value.u16))
        case UInt8(ascii: "I"): .int(Int64(value.i32))
        case UInt8(ascii: "i"): .int(Int64(value.u32))
        case UInt8(ascii: "l"): .int(value.i64)
        case UInt8(ascii: "L"): .int(Int64(clamping: value.u64))
        case UInt8(ascii: "f"): .double(Double(value.f32))
        case UInt8(ascii: "d"): .double(value.f64)
        case UInt8(ascii: "S"): .string(value.bytes.string)
        case UInt8(ascii: "x"): .bytes(value.bytes.data)
        case UInt8(ascii: "T"): .timestamp(Date(timeIntervalSince1970: TimeInterval(value.u64)))
        case UInt8(ascii: "F"): .table(value.table.fields)
        case UInt8(ascii: "A"):
            if value.array.num_entries > 0, let entries = value.array.entries {
                .array((0..<Int(value.array.num_entries)).map { entries[$0].swiftValue })
            } else {
                .array([])
            }
        default: .void
        }
    }
}
