import Contracts
import Foundation

/// Who is told about one event, on which channel, why, and when: role defaults
/// (``DefaultSubscriptions``) and explicit subscriptions combined, then each person's
/// preference for the release applied. Pure and deterministic (sorted by recipient, then channel).
///
/// - One ``PlannedDelivery`` per (recipient, channel); every reason that led there is kept,
///   merged into one line of at most ``maxReasonLength`` characters.
/// - Only enabled people of the directory (`people`) are told; a channel the person has no
///   address for is skipped (in-app needs none).
/// - `mute` tells nobody; `digest` defers to the daily digest. An unknown mode tells the
///   person at once: a read path refuses unknown values, and silence must never be an accident.
/// - Notify's own events (`notification.*`) are never told: a dead endpoint cannot loop.
public enum RecipientSelection {
    /// `deliveries.reason` holds at most 200 characters.
    public static let maxReasonLength = 200

    /// A subscription with its group already expanded to people by the caller.
    public typealias ExpandedSubscription = (rule: SubscriptionRule, people: [String])

    public static func select(
        event: EventFacts, release: ReleaseFacts?, stakeholders: [Stakeholder], subscriptions: [ExpandedSubscription],
        preferences: [String: NotificationMode], people: [String: Person]
    ) -> [PlannedDelivery] {
        guard !event.type.hasPrefix("notification.") else { return [] }
        var reasons: [Target: [String]] = [:]
        for stakeholder in withNamedAssignees(stakeholders, event: event) {
            guard let person = people[stakeholder.person] else { continue }
            let why = DefaultSubscriptions.reasons(for: stakeholder, event: event, release: release)
            guard !why.isEmpty else { continue }
            for channel in DefaultSubscriptions.channels(for: person) {
                reasons[Target(recipient: person.name, channel: channel), default: []].append(contentsOf: why)
            }
        }
        for (rule, members) in subscriptions where matches(rule, event: event, release: release) {
            for name in members {
                guard let person = people[name], canReach(person, on: rule.channel) else { continue }
                reasons[Target(recipient: person.name, channel: rule.channel), default: []].append(subscriptionReason(rule))
            }
        }
        return reasons.keys.sorted().compactMap { target in
            let timing: PlannedDelivery.Timing
            switch preferences[target.recipient] {
            case .mute?: return nil
            case .digest?: timing = .digest
            case .immediate?, .unknown?, nil: timing = .now
            }
            return PlannedDelivery(
                recipient: target.recipient, channel: target.channel, reason: merged(reasons[target] ?? []), timing: timing)
        }
    }

    /// Whether an explicit subscription covers the event: its pattern matches the type and
    /// every release filter it has holds (a filtered subscription never matches an event
    /// that belongs to no release).
    public static func matches(_ rule: SubscriptionRule, event: EventFacts, release: ReleaseFacts?) -> Bool {
        guard rule.channel.isKnown, EventPattern.matches(rule.eventPattern, type: event.type) else { return false }
        let filtered = rule.releaseKey != nil || rule.releaseType != nil || rule.priority != nil || rule.site != nil
        guard filtered else { return true }
        guard let release else { return false }
        if let key = rule.releaseKey, key != release.key { return false }
        if let type = rule.releaseType, type != release.type { return false }
        if let priority = rule.priority, priority != release.priority { return false }
        if let site = rule.site, !release.sites.contains(site) { return false }
        return true
    }

    /// The reasons in order, each once, cut to ``maxReasonLength`` characters.
    static func merged(_ reasons: [String]) -> String {
        var seen: Set<String> = []
        let line = reasons.filter { seen.insert($0).inserted }.joined(separator: ", ")
        guard line.count > maxReasonLength else { return line }
        return String(line.prefix(maxReasonLength - 1)) + "…"
    }

    static func subscriptionReason(_ rule: SubscriptionRule) -> String {
        "subscription " + rule.id.uuidString.lowercased().prefix(8)
    }

    static func canReach(_ person: Person, on channel: NotificationChannel) -> Bool {
        switch channel {
        case .inApp: true
        case .email, .webhook, .chat: !(person.contacts[channel] ?? "").isEmpty
        case .unknown: false
        }
    }

    /// The stakeholders given, plus the people the event itself names as assignees of tasks
    /// it made ready (a group's policy picked them; the caller need not know).
    static func withNamedAssignees(_ stakeholders: [Stakeholder], event: EventFacts) -> [Stakeholder] {
        var all = stakeholders
        for assignee in Set(DefaultSubscriptions.namedAssignees(in: event).values).sorted() {
            if let index = all.firstIndex(where: { $0.person == assignee }) {
                all[index].roles.insert(.assignee)
            } else {
                all.append(Stakeholder(person: assignee, roles: [.assignee]))
            }
        }
        return all
    }

    struct Target: Hashable, Comparable {
        var recipient: String
        var channel: NotificationChannel

        static func < (lhs: Target, rhs: Target) -> Bool {
            (lhs.recipient, lhs.channel.rawValue) < (rhs.recipient, rhs.channel.rawValue)
        }
    }
}
