import Crypto
import Foundation

/// The bearer token DML downloads must present, kept only as its SHA-256 so the secret is
/// never held, printed or logged here. Presented tokens are hashed and the digests compared
/// in constant time (swift-crypto's digest equality), so timing tells nothing of the token.
public struct DMLBearerToken: Sendable, CustomStringConvertible {
    private let digest: SHA256.Digest

    public init(_ secret: String) {
        digest = SHA256.hash(data: Data(secret.utf8))
    }

    /// True when `authorization` is `Bearer <the token>`.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return false }
        return SHA256.hash(data: Data(authorization.dropFirst(7).utf8)) == digest
    }

    public var description: String { "DMLBearerToken(redacted)" }
}
