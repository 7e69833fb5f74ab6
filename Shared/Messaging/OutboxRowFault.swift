import AMQP
import Foundation
import Logging

/// A row that could not be published because of what it holds (not because of an outage).
///
/// `reason` is the client's or broker's reason, which names fields, limits and exchanges but
/// never payload values; it is stored as the row's `last_error`.
struct OutboxRowFault: Error, Sendable {
    let seq: Int64
    let messageID: UUID
    let type: String
    let reason: String
    /// Trying again cannot help (the row breaks the limits): it fails at once.
    var isPermanent = false
    /// After recording: the row's attempts so far, and whether it is now marked failed.
    var attempts = 0
    var isFailed = false

    /// The longest `last_error` stored (a broker's reason is short; this bounds the rest).
    static let maxReasonLength = 500

    /// True when `error` is the message's own fault: the client refused an argument, the
    /// broker nacked or returned it, or closed the channel over it. Everything else is an
    /// outage (`AMQPError.isConnectionError`: not connected, lost, blocked; or a confirm
    /// timeout, a failed channel open): the row stays pending and no attempt is counted.
    static func isRowFault(_ error: AMQPError) -> Bool {
        if error.isConnectionError { return false }
        switch error {
        case .invalidArgument, .publishNacked, .publishReturned, .channelClosed: return true
        default: return false
        }
    }

    func log(to logger: Logger) {
        var metadata: Logger.Metadata = [
            "message.id": "\(messageID)", "message.type": "\(type.prefix(100))", "outbox.seq": "\(seq)",
            "outbox.attempts": "\(attempts)", "outbox.error": "\(reason)",
        ]
        if isFailed {
            metadata["outbox.action"] = "list, retry or discard it with shipboard-admin outbox"
            logger.error("outbox row failed for good; later rows of its correlation id wait behind it", metadata: metadata)
        } else {
            logger.warning("outbox row could not be published; it will be tried again", metadata: metadata)
        }
    }
}
