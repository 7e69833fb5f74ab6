import Contracts
import Crypto
import Foundation

/// An API token: `sbt_` and 43 base64url characters (32 random bytes). Only its SHA-256 is
/// stored; the token is shown once, when it is issued, and cannot be recovered.
public struct APIToken: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// The token as the client sends it (`Authorization: Bearer …`). Never logged.
    public let secret: String

    static let prefix = "sbt_"
    static let secretLength = 4 + 43

    /// A fresh random token.
    public static func generate() -> APIToken {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let encoded = bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return APIToken(secret: prefix + encoded)
    }

    /// The token a client presented, if it has the token's shape (checked before any lookup).
    public init?(presented: String) {
        guard presented.utf8.count == Self.secretLength, presented.hasPrefix(Self.prefix),
              presented.utf8.dropFirst(4).allSatisfy({ Self.isBase64URL($0) })
        else { return nil }
        self.secret = presented
    }

    private init(secret: String) {
        self.secret = secret
    }

    /// What is stored: SHA-256 of the token, 64 hex digits.
    public var storedHash: String {
        LowercaseHex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    public var description: String { "APIToken(sbt_…)" }
    public var customMirror: Mirror { Mirror(self, children: ["secret": "sbt_…"]) }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
