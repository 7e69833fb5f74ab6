import AMQP
import Contracts
import Foundation
import Logging

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
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "body" : joined
        }
        let (field, problem): (String, String) = switch decoding {
        case .keyNotFound(let key, let context): (path(context, key), "is required")
        case .typeMismatch(let type, let context): (path(context), "must be a \(type)")
        case .valueNotFound(let type, let context): (path(context), "must be a \(type), not null")
        case .dataCorrupted(let context): (path(context), "is not a valid value")
        @unknown default: ("body", "cannot be read")
        }
        return CommandError(
            .validation, "\(subject) cannot be read: \(field) \(problem)", rule: "messages.malformed", fields: [field: problem])
    }
}
