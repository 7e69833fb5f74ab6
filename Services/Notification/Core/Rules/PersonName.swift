import Contracts
import Foundation

/// A person's name as the gateway stores it (trimmed, lower-cased) and a group's name as
/// planning stores it: the one place notify normalises and checks them.
public enum PersonName {
    public static let maxLength = 200
    public static let maxGroupLength = 64
    /// How a site contact list names a group instead of a person.
    public static let groupPrefix = "group:"

    public static func normalized(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// What is wrong with a (normalised) person's name, or nil.
    public static func problem(_ name: String) -> String? {
        ShortText.problem(name, max: maxLength)
    }

    /// What is wrong with a group's name (`^[a-z0-9][a-z0-9_.-]{0,63}$`), or nil.
    public static func groupProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let fine = (1...maxGroupLength).contains(bytes.count) && isLowerAlphanumeric(bytes[0])
            && bytes.dropFirst().allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        return fine ? nil : "must be 1 to \(maxGroupLength) characters of a-z, 0-9, _, . and -, starting with a letter or digit"
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
