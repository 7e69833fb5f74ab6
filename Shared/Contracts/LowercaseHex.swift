/// Bytes as lowercase hex digits (digests, MACs, generated keys).
///
/// `String(format: "%02x")` per byte goes through Foundation's formatter: on the audit MAC
/// of every command it was 3% of the planning service's CPU.
public enum LowercaseHex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let bytes = Array(bytes)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
