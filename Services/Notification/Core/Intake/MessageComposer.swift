import Contracts
import Foundation
import Postgres

/// Turns an event into rendered deliveries: who (role defaults and subscriptions, minus mutes),
/// on which channel, and the message each one gets from the template of (type, channel).
struct MessageComposer: Sendable {
    let schemas: NotifySchemas
    let links: NotificationLinks

    func deliveries(for event: EventFacts, release: ReleaseFacts?, in transaction: PostgresTransaction) async throws -> [NewDelivery] {
        let directory = DirectoryReader(schemas: schemas)
        let stakeholders = try await StakeholderResolver(directory: directory).stakeholders(of: event, release: release, in: transaction)
        let subscriptions = try await directory.subscriptions(for: event.type, in: transaction)
        let names = Set(stakeholders.map(\.person) + subscriptions.flatMap(\.people)).sorted()
        let people = try await directory.people(names, in: transaction)
        let preferences = try await directory.preferences(of: names, releaseKey: event.releaseKey, in: transaction)
        let planned = RecipientSelection.select(
            event: event, release: release, stakeholders: stakeholders, subscriptions: subscriptions, preferences: preferences,
            people: people)
        return try await render(planned, source: "event:\(event.id.uuidString.lowercased())", eventId: event.id, event: event,
                                release: release, people: people, in: transaction)
    }

    /// Renders each planned delivery with the template of (event type, channel). `eventId`: the
    /// stored event the deliveries answer (none for a briefing or a digest, whose `event` is
    /// only their template's context).
    func render(
        _ planned: [PlannedDelivery], source: String, eventId: UUID?, event: EventFacts, release: ReleaseFacts?, people: [String: Person],
        extra: [String: JSONValue] = [:], in transaction: PostgresTransaction
    ) async throws -> [NewDelivery] {
        let templates = TemplateStore(schema: schemas.notify)
        // Each channel's template is read and compiled once per event, not once per person.
        var cache: [NotificationChannel: (template: NotificationTemplateText, compiled: CompiledNotificationTemplate?)] = [:]
        var deliveries: [NewDelivery] = []
        for delivery in planned {
            guard let person = people[delivery.recipient] else { continue }
            if cache[delivery.channel] == nil {
                let template = try await templates.template(eventType: event.type, channel: delivery.channel, in: transaction)
                cache[delivery.channel] = (
                    template, TemplateRenderer.compiledForDelivery(template, eventType: event.type, channel: delivery.channel)
                )
            }
            let (template, compiled) = cache[delivery.channel]!
            let context = TemplateContext.build(event: event, release: release, recipient: person, links: links, extra: extra)
            deliveries.append(NewDelivery(
                source: source, eventId: eventId, releaseKey: event.releaseKey,
                eventType: event.type, recipient: person.name, channel: delivery.channel,
                address: delivery.channel == .inApp ? nil : person.contacts[delivery.channel], reason: delivery.reason,
                message: TemplateRenderer.render(compiled, orUnrendered: template, context: context), inDigest: delivery.timing == .digest))
        }
        return deliveries
    }
}
