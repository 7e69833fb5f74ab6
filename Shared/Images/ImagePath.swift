/// The name of a file inside a software image: a relative path of `/`-separated components.
///
/// Every artifact name a user gives and every entry an archive holds passes through here,
/// so nothing can name a place outside the image: no absolute paths, no `.` or `..`
/// components, no empty components, no NUL or other control characters, no backslashes
/// (a Windows separator on some machine), and at most ``maxBytes`` bytes so that it fits a
/// ustar header (a 155-byte prefix and a 100-byte name, split at a `/`).
public struct ImagePath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maxBytes = 255
    public static let maxComponentBytes = 100

    /// The path as given, e.g. `bin/payroll`.
    public let value: String

    public init(_ value: String) throws(ImageSpecError) {
        func refuse(_ reason: String) -> ImageSpecError { .invalidPath(Self.printable(value, limit: 80), reason) }
        guard !value.isEmpty else { throw refuse("is empty") }
        guard value.utf8.count <= Self.maxBytes else { throw refuse("is longer than \(Self.maxBytes) bytes") }
        guard !value.hasPrefix("/") else { throw refuse("is absolute; name it relative to the image root") }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw refuse("holds a control character")
        }
        guard !value.contains("\\") else { throw refuse("holds a backslash; use / between folders") }
        for component in value.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty else { throw refuse("has an empty folder name (// or a trailing /)") }
            guard component != ".", component != ".." else { throw refuse("has a . or .. component, which could leave the image") }
            guard component.utf8.count <= Self.maxComponentBytes else {
                throw refuse("has a component longer than \(Self.maxComponentBytes) bytes")
            }
        }
        guard Self.ustarSplit(value) != nil else {
            throw refuse("cannot be split into a 155-byte folder and a 100-byte name")
        }
        self.value = value
    }

    public var description: String { value }

    /// `text` for a message: at most `limit` characters, control characters shown as `?`.
    public static func printable(_ text: String, limit: Int) -> String {
        String(text.unicodeScalars.prefix(limit).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    /// Byte order (not locale order): the same on every machine.
    public static func < (lhs: ImagePath, rhs: ImagePath) -> Bool {
        lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
    }

    /// The ustar `prefix` and `name` fields: the whole path in `name` when it fits 100
    /// bytes, else split at the last `/` that leaves at most 155 bytes before it.
    static func ustarSplit(_ path: String) -> (prefix: String, name: String)? {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "/") {
            let prefix = bytes[..<index], name = bytes[(index + 1)...]
            if prefix.count <= 155 && name.count <= 100 && !name.isEmpty {
                return (String(decoding: prefix, as: UTF8.self), String(decoding: name, as: UTF8.self))
            }
        }
        return nil
    }
}
