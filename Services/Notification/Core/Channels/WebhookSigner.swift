import Crypto
import Foundation

/// Signs webhook bodies, and lets a receiver check them.
/// - Header: `X-Shipboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
/// - The timestamp is signed with the body, so a receiver that refuses old timestamps
///   (`verify(…tolerance:)`) refuses a replayed request; the delivery id in the body and
///   `Idempotency-Key` let it drop a repeat that is still fresh.
/// - The secret is never logged or printed (`description` hides it).
public struct WebhookSigner: Sendable, CustomStringConvertible {
    /// The header that carries the signature.
    public static let headerName = "X-Shipboard-Signature"
    /// The shortest secret accepted, in bytes.
    public static let minimumSecretLength = 16

    private let key: SymmetricKey

    /// A signer with `secret` (`SHIPBOARD_NOTIFY_WEBHOOK_SECRET`); at least 16 bytes.
    public init(secret: String) throws(WebhookSignatureError) {
        guard secret.utf8.count >= Self.minimumSecretLength else { throw .secretTooShort }
        self.key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The header value for `body` sent at `date`.
    public func signature(for body: [UInt8], at date: Date) -> String {
        let timestamp = Int64(date.timeIntervalSince1970.rounded(.down))
        let code = HMAC<SHA256>.authenticationCode(for: Self.signedBytes(timestamp, body), using: key)
        return "t=\(timestamp),v1=\(code.map { String(format: "%02x", $0) }.joined())"
    }

    /// Checks `header` against `body`: the timestamp no further than `tolerance` from `now`
    /// (either way) and a `v1` code that matches, compared in constant time.
    public func verify(header: String, body: [UInt8], now: Date = Date(), tolerance: TimeInterval = 300)
        throws(WebhookSignatureError)
    {
        var timestamp: Int64?
        var codes: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": codes.append(try Self.bytes(hex: pair[1]))
            default: continue  // later schemes: ignored, as receivers of such headers do
            }
        }
        guard let timestamp, !codes.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .stale }
        let signed = Self.signedBytes(timestamp, body)
        guard codes.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) })
        else { throw .mismatch }
    }

    public var description: String { "WebhookSigner(secret: ***)" }

    private static func signedBytes(_ timestamp: Int64, _ body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    private static func bytes(hex: String) throws(WebhookSignatureError) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { throw .malformed }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw .malformed
            }
            bytes.append(byte)
        }
        return bytes
    }
}

/// Why a signature was refused, or a signer could not be made.
public enum WebhookSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    case secretTooShort, malformed, stale, mismatch

    public var description: String {
        switch self {
        case .secretTooShort: "the webhook signing secret must be at least \(WebhookSigner.minimumSecretLength) bytes"
        case .malformed: "the signature header is not t=<unix seconds>,v1=<64 hex digits>"
        case .stale: "the signature's timestamp is outside the accepted window (a replay, or a clock far off)"
        case .mismatch: "the signature does not match the body"
        }
    }
}
