import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

extension Components.Schemas.NotificationChannel: ExpressibleByArgument {}
extension Components.Schemas.NotificationMode: ExpressibleByArgument {}
extension Components.Schemas.NotificationDeliveryState: ExpressibleByArgument {}

/// `shipboard notify …`: who is told what about releases, how, and what was sent (issue 14).
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Subscriptions, preferences, templates, contact points, the delivery log, the in-app feed and communication plans.",
        subcommands: [
            Subscribe.self, Unsubscribe.self, Subscriptions.self, Prefer.self, NotifyTemplateCommand.self, Log.self, Feed.self,
            Plan.self, Contacts.self, SiteContacts.self,
        ])

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe yourself (or, as a release manager or admin, someone else or a group) to events.",
            discussion: "PATTERN is an event type (release.phase_changed), a prefix with .* (rollout.*) or *.")

        @Argument(help: "The event-type pattern.") var pattern: String
        @Option(help: "The channel.") var channel: Components.Schemas.NotificationChannel = .email
        @Option(help: "Only this release.") var release: ReleaseKey?
        @Option(help: "Only releases of this type.") var type: Components.Schemas.ReleaseType?
        @Option(help: "Only releases of this priority.") var priority: Components.Schemas.Priority?
        @Option(help: "Only releases touching this site.") var site: String?
        @Option(name: .customLong("for"), help: "Subscribe this person instead of yourself.") var person: String?
        @Option(help: "Subscribe every member of this approver group.") var group: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if person != nil && group != nil { throw ValidationError("give --for or --group, not both") }
        }

        func run() async throws {
            let body = Components.Schemas.NotificationSubscriptionInput(
                subscriberKind: group == nil ? nil : .group, subscriber: group ?? person, eventPattern: pattern, channel: channel,
                releaseKey: release?.text, releaseType: type, priority: priority, site: site)
            let reply = try await APISession.run { session in
                try await session.command({
                    try await $0.createNotificationSubscription(headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
                }, expecting: { output in
                    switch output {
                    case .created(let created): try created.body.json
                    default: try output.ok.body.json
                    }
                })
            }
            try output.emit(reply) { saved in
                saved.existing ? "already subscribed: \(saved.id)\n" : "subscribed: \(saved.id)\n"
            }
        }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a subscription by its id.")
        @Argument(help: "The subscription's id (as `notify subscriptions` lists it).") var id: String

        func validate() throws {
            guard UUID(uuidString: id) != nil else { throw ValidationError("the subscription id must be a UUID") }
        }

        func run() async throws {
            _ = try await APISession.run { session in
                try await session.command({
                    try await $0.deleteNotificationSubscription(path: .init(id: id.lowercased()), headers: .init(Idempotency_hyphen_Key: $1))
                }, expecting: { try $0.noContent })
            }
            Console.out("unsubscribed \(id.lowercased())\n")
        }
    }

    struct Subscriptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your subscriptions and your groups' (or another subscriber's).")
        @Option(help: "A person, or group:NAME (release managers and admins).") var subscriber: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.listNotificationSubscriptions(query: .init(subscriber: subscriber))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                guard !list.items.isEmpty else { return "no subscriptions\n" }
                return TextTable(
                    header: ["ID", "FOR", "EVENTS", "CHANNEL", "ONLY"],
                    rows: list.items.map { item in
                        let filters = [item.releaseKey, item.releaseType, item.priority, item.site.map { "site \($0)" }].compactMap { $0 }
                        return [item.id, item.subscriberKind == .group ? "group:\(item.subscriber)" : item.subscriber, item.eventPattern,
                                item.channel.rawValue, filters.joined(separator: ", ")]
                    }).text
            }
        }
    }

    struct Prefer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose how you are told: every message (immediate), one a day (digest) or none (mute).")
        @Argument(help: "immediate, digest or mute.") var mode: Components.Schemas.NotificationMode
        @Option(help: "Only for this release (default: every release).") var release: ReleaseKey?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = Components.Schemas.NotificationPreferenceInput(releaseKey: release?.text, mode: mode)
            let reply = try await APISession.run { session in
                try await session.command({
                    try await $0.setNotificationPreference(headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { _ in "\(mode.rawValue) for \(release?.text ?? "every release")\n" }
        }
    }
}
