import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import NotificationCore

/// A person's subscriptions, preferences and in-app feed (issue 14). Changes go to
/// shipboard-notify by request/reply as the signed-in user; reads come from its tables.
/// Acting for someone else (another person, a group) takes a release manager or an admin:
/// checked here first, and again by notify.
extension GatewayAPIHandler {
    /// Who may subscribe, list or unsubscribe others.
    static let notificationManagers: Set<Role> = [.releaseManager, .admin]

    func listNotificationSubscriptions(
        _ input: Operations.listNotificationSubscriptions.Input
    ) async throws -> Operations.listNotificationSubscriptions.Output {
        let user = try Self.user()
        let items: [SubscriptionView]
        if let subscriber = input.query.subscriber, subscriber != user.name {
            try Self.requireNotificationManager(user)
            items = try await notifications.subscriptions(of: subscriber)
        } else {
            items = try await notifications.subscriptions(visibleTo: user.name)
        }
        return .ok(.init(body: .json(.init(items: try APIValue.convert(items)))))
    }

    func createNotificationSubscription(
        _ input: Operations.createNotificationSubscription.Input
    ) async throws -> Operations.createNotificationSubscription.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let user = try Self.user()
        let command = try NotificationCommandRules.checked(Subscribe(
            subscriberKind: body.subscriberKind.map { SubscriberKind(rawValue: $0.rawValue) } ?? SubscriberKind.person,
            subscriber: body.subscriber ?? user.name, eventPattern: body.eventPattern,
            channel: NotificationChannel(rawValue: body.channel.rawValue), releaseKey: body.releaseKey,
            releaseType: body.releaseType?.rawValue, priority: body.priority?.rawValue, site: body.site))
        if command.subscriberKind != .person || command.subscriber != user.name { try Self.requireNotificationManager(user) }
        let saved = try await commands.send(
            command, operation: "createNotificationSubscription", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        let answer: Components.Schemas.NotificationSubscriptionSaved = try APIValue.convert(saved)
        return saved.existing ? .ok(.init(body: .json(answer))) : .created(.init(body: .json(answer)))
    }

    func deleteNotificationSubscription(
        _ input: Operations.deleteNotificationSubscription.Input
    ) async throws -> Operations.deleteNotificationSubscription.Output {
        let user = try Self.user()
        let command = try NotificationCommandRules.checked(Unsubscribe(id: input.path.id.lowercased()))
        // The rule has checked that the id is a UUID.
        guard let id = UUID(uuidString: command.id), let owner = try await notifications.subscriber(ofSubscription: id) else {
            throw CommandError(.notFound, "no subscription has this id", rule: "notify.subscription_exists")
        }
        if owner.kind != "person" || owner.name != user.name { try Self.requireNotificationManager(user) }
        _ = try await commands.send(
            command, operation: "deleteNotificationSubscription",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .noContent(.init())
    }

    func listNotificationPreferences(
        _ input: Operations.listNotificationPreferences.Input
    ) async throws -> Operations.listNotificationPreferences.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await notifications.preferences(of: try Self.user().name))))))
    }

    func setNotificationPreference(
        _ input: Operations.setNotificationPreference.Input
    ) async throws -> Operations.setNotificationPreference.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let user = try Self.user()
        let command = try NotificationCommandRules.checked(
            SetNotificationPreference(releaseKey: body.releaseKey, mode: NotificationMode(rawValue: body.mode.rawValue)))
        if let key = body.releaseKey { _ = try await existingRelease(key) }
        _ = try await commands.send(
            command, operation: "setNotificationPreference", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: body.releaseKey)
        return .ok(.init(body: .json(.init(items: try APIValue.convert(try await notifications.preferences(of: user.name))))))
    }

    func getNotificationFeed(_ input: Operations.getNotificationFeed.Input) async throws -> Operations.getNotificationFeed.Output {
        let page = try await notifications.feed(
            of: try Self.user().name, unreadOnly: input.query.unread ?? false, limit: input.query.limit ?? 50,
            cursor: input.query.cursor)
        return .ok(.init(body: .json(try APIValue.convert(page))))
    }

    func markNotificationsRead(_ input: Operations.markNotificationsRead.Input) async throws -> Operations.markNotificationsRead.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = try NotificationCommandRules.checked(
            MarkNotificationsRead(ids: (body.ids ?? []).map { $0.lowercased() }, all: body.all))
        let marked = try await commands.send(
            command, operation: "markNotificationsRead",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(marked))))
    }

    static func requireNotificationManager(_ user: GatewayUser) throws(CommandError) {
        guard !user.roles.isDisjoint(with: notificationManagers) else {
            throw CommandError(.forbidden, "only a release manager or an admin may act for someone else or a group", rule: "notify.for_others")
        }
    }
}
