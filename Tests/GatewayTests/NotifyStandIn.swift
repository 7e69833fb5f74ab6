import AMQP
import Contracts
import Foundation
import Messaging
import Synchronization

/// A stand-in for shipboard-notify on the test broker: answers the notify commands the
/// gateway sends by request/reply, as the service would, and records each one (its type,
/// actor and payload) so a test asserts what was sent. Commands from other actors (an
/// earlier run's leftovers) are acked and dropped.
final class NotifyStandIn: Sendable {
    struct Received: Sendable {
        let type: String
        let actor: String
        /// The payload as JSON.
        let payloadJSON: Data

        var payload: [String: Any] { (try? JSONSerialization.jsonObject(with: payloadJSON)) as? [String: Any] ?? [:] }
    }

    private let received = Mutex<[Received]>([])
    private let broker: AMQPClient
    private let actors: Set<String>

    init(broker: AMQPClient, actors: Set<String>) {
        self.broker = broker
        self.actors = actors
    }

    var commands: [Received] { received.withLock { $0 } }

    /// Consumes `notify.commands` until cancelled (``CommandStandIn``).
    func run() async throws {
        try await CommandStandIn.answer(broker, queue: "notify.commands", actors: actors, requeueOthers: false) { type, actor, payload in
            let payloadJSON = try JSONSerialization.data(withJSONObject: payload)
            received.withLock { $0.append(Received(type: type, actor: actor, payloadJSON: payloadJSON)) }
            return try Self.reply(to: type, payload)
        }
    }

    /// What shipboard-notify answers each command with (a fixed, recognisable result).
    static func reply(to type: String, _ payload: [String: Any]) throws -> Data {
        switch type {
        case Subscribe.messageType:
            return try ContractCoding.encode(CommandReply<SubscriptionSaved>.success(.init(id: standInID, existing: false)))
        case SaveNotificationTemplate.messageType:
            return try ContractCoding.encode(CommandReply<TemplateSaved>.success(.init(revision: 7)))
        case PreviewNotificationTemplate.messageType:
            return try ContractCoding.encode(CommandReply<TemplatePreview>.success(
                .init(eventId: standInID, subject: "Preview of \(payload["eventType"] ?? "")", text: "rendered", html: nil)))
        case MarkNotificationsRead.messageType:
            let ids = payload["ids"] as? [Any] ?? []
            return try ContractCoding.encode(CommandReply<NotificationsMarked>.success(.init(marked: ids.count)))
        default:
            return try ContractCoding.encode(CommandReply<Acknowledged>.success(.init()))
        }
    }

    static let standInID = "00000000-0000-4000-8000-00000000abcd"
}
