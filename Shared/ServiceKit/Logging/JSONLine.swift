/// Builds one JSON object of string fields as one line of UTF-8, ending in `\n`.
///
/// Hand-written rather than `JSONSerialization` so the fixed fields come first in a fixed
/// order (people read these lines too) and so no input can make encoding fail: quotes,
/// backslashes and every control character are escaped, and Swift strings are always
/// valid Unicode, so the UTF-8 passed through is valid too.
struct JSONLine {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isEmpty = true

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `"key":"value"`. Keys are not checked for repeats; callers keep them unique.
    mutating func append(_ key: String, _ value: String) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        appendString(value)
    }

    /// The finished line: the object's closing brace and a newline.
    func finished() -> [UInt8] {
        bytes + [UInt8(ascii: "}"), UInt8(ascii: "\n")]
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                // `\u00XX`; DEL is legal JSON but escaped so no raw control byte reaches a terminal.
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)],
                ])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
