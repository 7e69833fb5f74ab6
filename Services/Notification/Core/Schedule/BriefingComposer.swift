import Contracts
import Foundation
import Postgres

/// The deliveries of a communication plan's message: its audiences resolved to people
/// (`stakeholders`, `site-contacts`, `requester`, `coordinator`, `approvers`, or a group's
/// name), each told by email when they have an address and in the app, as their preferences
/// allow. The message is the `briefing` template with the plan's subject and text.
struct BriefingComposer: Sendable {
    let schemas: NotifySchemas
    let composer: MessageComposer

    func deliveries(for sends: [ScheduledSendStore.Send], in transaction: PostgresTransaction) async throws -> [NewDelivery] {
        var deliveries: [NewDelivery] = []
        let directory = DirectoryReader(schemas: schemas)
        let plans = ScheduledSendStore(schema: schemas.notify)
        for send in sends {
            guard let release = try await directory.release(send.releaseKey, in: transaction) else { continue }
            let audience = try await people(in: send.audiences, release: release, directory: directory, in: transaction)
            let people = try await directory.people(audience.keys.sorted(), in: transaction)
            let modes = try await directory.preferences(of: audience.keys.sorted(), releaseKey: release.key, in: transaction)
            var planned: [PlannedDelivery] = []
            for name in audience.keys.sorted() {
                guard let person = people[name], modes[name] != .mute else { continue }
                let timing: PlannedDelivery.Timing = modes[name] == .digest ? .digest : .now
                let reason = "communication plan: " + audience[name]!.sorted().joined(separator: ", ")
                for channel in [NotificationChannel.email, .inApp] where channel == .inApp || person.contacts[channel] != nil {
                    planned.append(PlannedDelivery(recipient: name, channel: channel, reason: String(reason.prefix(200)), timing: timing))
                }
            }
            let body = try await plans.currentPlanBody(releaseKey: release.key, in: transaction) ?? ""
            let event = EventFacts(
                id: send.id, type: "briefing", releaseKey: release.key, actor: "shipboard-notify", occurredAt: Date(),
                payload: .object([
                    "releaseKey": .string(release.key), "subject": .string(send.subject), "body": .string(body),
                    "outcome": send.outcome.map(JSONValue.string) ?? .null,
                ]))
            deliveries += try await composer.render(
                planned, source: "schedule:\(send.id.uuidString.lowercased())", eventId: nil, event: event, release: release, people: people,
                extra: ["briefing": .object(["subject": .string(send.subject), "body": .string(body)])], in: transaction)
        }
        return deliveries
    }

    /// Each person an audience name reaches, with the audiences that reach them.
    func people(
        in audiences: [String], release: ReleaseFacts, directory: DirectoryReader, in transaction: PostgresTransaction
    ) async throws -> [String: Set<String>] {
        var reached: [String: Set<String>] = [:]
        func add(_ names: [String], _ audience: String) { for name in names { reached[name, default: []].insert(audience) } }
        let siteContacts = try await directory.siteContacts(of: release.sites, in: transaction).keys.sorted()
        let approvers = try await directory.members(of: [release.pendingApproverGroup].compactMap { $0 }, in: transaction)
            .values.flatMap { $0 }
        let subscribers = try await directory.releaseSubscribers(release.key, in: transaction)
        for audience in audiences {
            switch audience {
            case "stakeholders":
                add([release.requester] + [release.coordinator].compactMap { $0 } + approvers + siteContacts + subscribers, audience)
            case "site-contacts", "site_contacts": add(siteContacts, audience)
            case "requester": add([release.requester], audience)
            case "coordinator": add([release.coordinator].compactMap { $0 }, audience)
            case "approvers": add(approvers, audience)
            default: add(try await directory.members(of: [audience], in: transaction)[audience] ?? [], audience)
            }
        }
        return reached
    }
}
