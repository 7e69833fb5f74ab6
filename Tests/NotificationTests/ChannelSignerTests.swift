import Foundation
import NotificationCore
import Testing

@Suite("Webhook signature")
struct ChannelSignerTests {
    let signer = try! WebhookSigner(secret: "0123456789abcdef0123")
    let body = Array(#"{"a":1}"#.utf8)
    let signedAt = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("the header is t=<seconds>,v1=<HMAC-SHA256 of \"t.body\"> (a vector computed with Python's hmac)")
    func knownVector() {
        #expect(
            signer.signature(for: body, at: signedAt)
                == "t=1700000000,v1=34e41bd41c08899dd901e050eca2824e8dfecfe16d4778add8a6f330817db525")
    }

    @Test("a fresh, untouched request verifies")
    func verifies() throws {
        let header = signer.signature(for: body, at: signedAt)
        try signer.verify(header: header, body: body, now: signedAt.addingTimeInterval(120), tolerance: 300)
    }

    @Test("a tampered body, another secret, an old or future timestamp and a malformed header are refused")
    func refusals() throws {
        let header = signer.signature(for: body, at: signedAt)
        #expect(throws: WebhookSignatureError.mismatch) {
            try signer.verify(header: header, body: Array(#"{"a":2}"#.utf8), now: signedAt)
        }
        let other = try WebhookSigner(secret: "another-secret-of-enough-length")
        #expect(throws: WebhookSignatureError.mismatch) { try other.verify(header: header, body: body, now: signedAt) }
        #expect(throws: WebhookSignatureError.stale) {
            try signer.verify(header: header, body: body, now: signedAt.addingTimeInterval(301), tolerance: 300)
        }
        #expect(throws: WebhookSignatureError.stale) {
            try signer.verify(header: header, body: body, now: signedAt.addingTimeInterval(-301), tolerance: 300)
        }
        // The timestamp is signed: moving it forward to look fresh breaks the signature.
        let replayed = header.replacingOccurrences(of: "t=1700000000", with: "t=1700000400")
        #expect(throws: WebhookSignatureError.mismatch) {
            try signer.verify(header: replayed, body: body, now: signedAt.addingTimeInterval(400))
        }
        for malformed in ["", "t=1700000000", "v1=00", "t=x,v1=" + String(repeating: "0", count: 64), "t=1700000000,v1=zz"] {
            #expect(throws: WebhookSignatureError.malformed) { try signer.verify(header: malformed, body: body, now: signedAt) }
        }
    }

    @Test("a short secret is refused and the secret never shows")
    func secret() {
        #expect(throws: WebhookSignatureError.secretTooShort) { try WebhookSigner(secret: "short") }
        #expect(!String(describing: signer).contains("0123456789"))
    }
}
