import Foundation

/// An outgoing email as RFC 5322 bytes (CRLF line ends), built from an `OutboundMessage`.
/// - `Message-ID: <deliveryId@shipboard>` and `X-Shipboard-Delivery: deliveryId` are the same
///   on every retry of a delivery, so a receiver can drop a repeat.
/// - Bodies are UTF-8 in base64 (lines of 76): no line-length or dot-stuffing trouble, any
///   text survives. With HTML the body is multipart/alternative, plain text first.
/// - `Auto-Submitted: auto-generated` (RFC 3834) keeps vacation responders from answering.
public struct EmailMessage: Sendable, Equatable {
    /// The envelope recipient (`RCPT TO`).
    public let recipient: String
    /// The message itself.
    public let bytes: [UInt8]

    /// Composes `message` from `from`; refuses (with a sentence) an unusable address or a
    /// header value with a line break or control character.
    public init(_ message: OutboundMessage, from: String, fromName: String, date: Date = Date()) throws(EmailRefusal) {
        if let problem = EmailAddress.problem(with: message.address) { throw EmailRefusal(problem) }
        if let problem = EmailHeader.problem(with: message.subject, field: "subject") { throw EmailRefusal(problem) }
        if let problem = EmailHeader.problem(with: message.recipient, field: "recipient name") { throw EmailRefusal(problem) }
        if let problem = EmailHeader.problem(with: message.eventType, field: "event type") { throw EmailRefusal(problem) }
        let delivery = message.deliveryId.uuidString.lowercased()
        var headers = [
            "From: \(EmailHeader.mailbox(name: fromName, address: from))",
            "To: \(EmailHeader.mailbox(name: message.recipient, address: message.address))",
            "Subject: \(EmailHeader.encoded(message.subject))",
            "Date: \(EmailHeader.date(date))",
            "Message-ID: <\(delivery)@shipboard>",
            "X-Shipboard-Delivery: \(delivery)",
            "X-Shipboard-Event: \(message.eventType)",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
        ]
        let body: String
        if let html = message.html {
            let boundary = "=_shipboard_\(delivery.replacingOccurrences(of: "-", with: ""))"
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = [
                "--\(boundary)", Self.part("text/plain", message.text),
                "--\(boundary)", Self.part("text/html", html),
                "--\(boundary)--", "",
            ].joined(separator: "\r\n")
        } else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            body = Self.base64(message.text) + "\r\n"
        }
        self.recipient = message.address
        self.bytes = Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    private static func part(_ type: String, _ text: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(base64(text))"
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }
}

/// Why a message cannot be sent as email: a permanent failure (the same message fails again).
public struct EmailRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
