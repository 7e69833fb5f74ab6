import Contracts
import Crypto
import Foundation

/// The secret keys audit entries are authenticated with (HMAC-SHA256). The database never
/// holds them: a role that can write audit rows (or the owner, who can rewrite them and
/// recompute any plain hash) cannot make an entry that verifies.
///
/// Configured as `SHIPBOARD_AUDIT_KEYS`: `id:hex[,id:hex…]`, the first key signs new entries
/// and every key listed verifies the entries signed with it. Rotation: put a new key first
/// and keep the old ones for as long as their entries must verify. An id is 1–32 of
/// `a-z 0-9 - _`; a key is 32–64 bytes written as hex.
///
/// Never printed: `description` names the key ids only.
public struct AuditKeyring: Sendable, CustomStringConvertible, CustomReflectable {
    /// The id new entries are signed under.
    public let currentID: String
    private let keys: [String: SymmetricKey]

    public static let variable = "SHIPBOARD_AUDIT_KEYS"

    /// A key id as stored in each entry.
    static func isValidID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count)
            && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// Parses the variable's value. Errors name the position and the problem, never a key.
    public init(parsing text: String) throws(AuditKeyringError) {
        var keys: [String: SymmetricKey] = [:]
        var order: [String] = []
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for (index, item) in items.enumerated() {
            let position = index + 1
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw .malformed("entry \(position) is not id:hex") }
            let id = String(parts[0])
            guard Self.isValidID(id) else { throw .malformed("entry \(position) has an id that is not 1-32 of a-z 0-9 - _") }
            guard keys[id] == nil else { throw .malformed("key id \(id) is listed twice") }
            guard let bytes = Self.bytes(hex: parts[1]), (32...64).contains(bytes.count) else {
                throw .malformed("key \(id) is not 64 to 128 hex digits (32 to 64 bytes)")
            }
            keys[id] = SymmetricKey(data: bytes)
            order.append(id)
        }
        guard let first = order.first else { throw .malformed("no key is given") }
        self.currentID = first
        self.keys = keys
    }

    /// A keyring of one fresh random key (tests, and a first installation's setup script).
    /// An id that is not valid is refused by the table's CHECK at the first append.
    public static func random(id: String = "k1") -> AuditKeyring {
        AuditKeyring(currentID: id, keys: [id: SymmetricKey(size: .bits256)])
    }

    private init(currentID: String, keys: [String: SymmetricKey]) {
        self.currentID = currentID
        self.keys = keys
    }

    /// 32 random bytes as hex: a new key for `SHIPBOARD_AUDIT_KEYS`.
    public static func randomHex() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { LowercaseHex.encode($0) }
    }

    /// The key entries signed under `id` are checked with; nil when this keyring lacks it.
    func key(_ id: String) -> SymmetricKey? { keys[id] }

    /// The key new entries are signed with.
    var currentKey: SymmetricKey { keys[currentID]! }

    public var description: String { "AuditKeyring(signing: \(currentID), keys: \(keys.keys.sorted().joined(separator: ",")))" }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }

    /// Bytes of an even-length hex string (either case), nil if it is not one.
    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// `SHIPBOARD_AUDIT_KEYS` could not be read; the message never contains key material.
public enum AuditKeyringError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    /// What is wrong, without the variable's name.
    public var problem: String {
        switch self {
        case .malformed(let problem): problem
        }
    }

    public var description: String { "\(AuditKeyring.variable): \(problem)" }
}
