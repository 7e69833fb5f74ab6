import AMQP
import Contracts
import Foundation
import Logging
import Postgres

extension ConsumerRunner {
    /// Dead-letters a message that can never be handled (undecodable, or no handler for its
    /// type and version) and, when it is a request, answers it with a validation error, so
    /// the sender learns at once what is wrong instead of waiting for a timeout.
    func rejectMalformed(_ delivery: AMQPDelivery, reason: String, refusal: CommandError, attempt: Int) async {
        if let replyTo = delivery.properties.replyTo, let reply = try? ContractCoding.encode(CommandRefusal(error: refusal)) {
            await sendReply(reply, to: replyTo, correlationID: delivery.properties.correlationID, logger: logger)
        }
        await deadLetter(delivery, reason: reason, attempt: attempt)
    }

    /// The refusal for a body that does not decode: the JSON path of the first problem and
    /// what is wrong there (never the value itself).
    static func malformedRefusal(_ error: any Error, messageType: String?) -> CommandError {
        let subject = messageType.map { "the \($0) message" } ?? "the message"
        guard let decoding = error as? DecodingError else {
            return CommandError(.validation, "\(subject) is not a valid envelope", rule: "messages.malformed")
        }
        let (field, problem) = problem(in: decoding)
        return CommandError(
            .validation, "\(subject) cannot be read: \(field) \(problem)", rule: "messages.malformed", fields: [field: problem])
    }

    /// Where a decoding error is (the JSON path, `body` for the whole document) and what is
    /// wrong there. Built from the error's kind and path only: its debug text may quote the
    /// value (an enum's unknown raw value, a snippet of broken JSON), which must not reach
    /// headers or logs.
    static func problem(in error: DecodingError) -> (field: String, problem: String) {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "body" : joined
        }
        return switch error {
        case .keyNotFound(let key, let context): (path(context, key), "is required")
        case .typeMismatch(let type, let context): (path(context), "must be a \(type)")
        case .valueNotFound(let type, let context): (path(context), "must be a \(type), not null")
        case .dataCorrupted(let context) where context.codingPath.isEmpty: ("body", "is not valid JSON")
        case .dataCorrupted(let context): (path(context), "is not a valid value")
        @unknown default: ("body", "cannot be read")
        }
    }

    /// Error text for dead-letter headers and logs, at most 500 characters. Our error types
    /// never carry secrets, SQL or values; a decoding error (also one a handler threw) is
    /// reduced to its path and problem, since its own text may quote the value.
    static func describe(_ error: any Error) -> String {
        let text: String
        if let decoding = error as? DecodingError {
            let (field, problem) = problem(in: decoding)
            text = "\(field) \(problem)"
        } else if let transaction = error as? PostgresTransactionError, let decoding = transaction.underlying as? DecodingError {
            let (field, problem) = problem(in: decoding)
            text = "transaction rolled back: \(transaction.step) failed: \(field) \(problem)"
        } else {
            text = String(describing: error)
        }
        return String(text.prefix(500))
    }
}
