import Contracts
import Foundation
import Messaging
import Postgres

/// Handles every event notify is told about, in the consumer's transaction (so the event is
/// acknowledged only when what it caused is committed, and a redelivery changes nothing):
/// keeps the event, lets the communication plan react (plans, schedules, outcomes,
/// cancellation), decides who is told on which channel, renders each message and records
/// the deliveries. The dispatcher sends them after the commit (woken by NOTIFY).
public struct EventIntake: Sendable {
    let schemas: NotifySchemas
    let composer: MessageComposer
    let wakeChannel: String

    public init(schemas: NotifySchemas, links: NotificationLinks) {
        self.schemas = schemas
        self.composer = MessageComposer(schemas: schemas, links: links)
        self.wakeChannel = Self.wakeChannel(schema: schemas.notify)
    }

    /// The NOTIFY channel on which recorded deliveries wake the dispatchers.
    public static func wakeChannel(schema: String) -> String { "\(schema)_deliveries" }

    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        for type in NotifiedEventTypes.all {
            handlers.onAnyEvent(type: type) { envelope, context in try await handle(envelope, context.transaction) }
        }
        return handlers
    }

    public func handle(_ envelope: Envelope<JSONValue>, _ transaction: PostgresTransaction) async throws {
        let event = Self.facts(envelope)
        guard try await EventStore(schema: schemas.notify).insert(event, in: transaction) else { return }
        let directory = DirectoryReader(schemas: schemas)
        let release = try await event.releaseKey.asyncMap { try await directory.release($0, in: transaction) } ?? nil
        var deliveries = try await CommunicationPlanner(schemas: schemas, composer: composer)
            .react(to: event, release: release, in: transaction)
        deliveries += try await composer.deliveries(for: event, release: release, in: transaction)
        if try await DeliveryStore(schema: schemas.notify).insert(deliveries, in: transaction) > 0 {
            try await transaction.notify(channel: wakeChannel, payload: "")
        }
    }

    /// The event's facts: its release is the payload's `releaseKey`, else a correlation id
    /// that is a release key.
    static func facts(_ envelope: Envelope<JSONValue>) -> EventFacts {
        let release = envelope.payload["releaseKey"]?.string
            ?? (envelope.correlationId.hasPrefix("REL-") ? envelope.correlationId : nil)
        return EventFacts(
            id: envelope.id, type: envelope.type, releaseKey: release, actor: envelope.actor, occurredAt: envelope.occurredAt,
            payload: envelope.payload)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
