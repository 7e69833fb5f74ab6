import Contracts
import Foundation

/// An event as shipboard-notify keeps it: its envelope's facts and its payload as JSON (the
/// context templates render from).
public struct EventFacts: Sendable, Equatable {
    public var id: UUID
    public var type: String
    /// The release it belongs to (the payload's `releaseKey`, else the correlation id), if any.
    public var releaseKey: String?
    public var actor: String
    public var occurredAt: Date
    public var payload: JSONValue

    public init(id: UUID, type: String, releaseKey: String?, actor: String, occurredAt: Date, payload: JSONValue) {
        self.id = id
        self.type = type
        self.releaseKey = releaseKey
        self.actor = actor
        self.occurredAt = occurredAt
        self.payload = payload
    }
}

/// What notify reads about a release from planning's schema when it decides who is told.
public struct ReleaseFacts: Sendable, Equatable {
    public var key: String
    public var title: String
    public var type: String
    public var priority: String?
    public var phase: String
    public var status: String
    public var requester: String
    public var coordinator: String?
    public var scheduledStart: Date?
    /// The sites of the release's CIs.
    public var sites: [String]
    /// The group whose approval the release waits for now (the open gate), if any.
    public var pendingApproverGroup: String?

    public init(
        key: String, title: String, type: String, priority: String?, phase: String, status: String, requester: String,
        coordinator: String?, scheduledStart: Date?, sites: [String], pendingApproverGroup: String?
    ) {
        self.key = key
        self.title = title
        self.type = type
        self.priority = priority
        self.phase = phase
        self.status = status
        self.requester = requester
        self.coordinator = coordinator
        self.scheduledStart = scheduledStart
        self.sites = sites
        self.pendingApproverGroup = pendingApproverGroup
    }
}

/// A person of the directory (the gateway's users) with their contact points.
public struct Person: Sendable, Equatable {
    public var name: String
    public var displayName: String
    /// Address per channel (email address, webhook URL, chat webhook URL); in-app needs none.
    public var contacts: [NotificationChannel: String]

    public init(name: String, displayName: String, contacts: [NotificationChannel: String]) {
        self.name = name
        self.displayName = displayName
        self.contacts = contacts
    }
}

/// Why a person is a stakeholder of a release.
public enum StakeholderRole: String, Sendable, CaseIterable, Comparable {
    case requester, coordinator, approver, assignee
    case siteContact = "site_contact"
    case subscriber

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A stakeholder of one event: a person and every role that makes them one. `sites` are the
/// sites they are a contact for (a site contact hears only about their sites' rollouts).
public struct Stakeholder: Sendable, Equatable {
    public var person: String
    public var roles: Set<StakeholderRole>
    public var sites: Set<String>

    public init(person: String, roles: Set<StakeholderRole>, sites: Set<String> = []) {
        self.person = person
        self.roles = roles
        self.sites = sites
    }
}

/// A stored subscription, with its group already expanded to `people` by the reader.
public struct SubscriptionRule: Sendable, Equatable {
    public var id: UUID
    public var subscriberKind: SubscriberKind
    public var subscriber: String
    public var eventPattern: String
    public var channel: NotificationChannel
    public var releaseKey: String?
    public var releaseType: String?
    public var priority: String?
    public var site: String?

    public init(
        id: UUID, subscriberKind: SubscriberKind, subscriber: String, eventPattern: String, channel: NotificationChannel,
        releaseKey: String? = nil, releaseType: String? = nil, priority: String? = nil, site: String? = nil
    ) {
        self.id = id
        self.subscriberKind = subscriberKind
        self.subscriber = subscriber
        self.eventPattern = eventPattern
        self.channel = channel
        self.releaseKey = releaseKey
        self.releaseType = releaseType
        self.priority = priority
        self.site = site
    }
}

/// One message to send: to whom, how, why, and whether now, in the daily digest or not at all.
public struct PlannedDelivery: Sendable, Equatable, Hashable {
    public enum Timing: String, Sendable { case now, digest }
    public var recipient: String
    public var channel: NotificationChannel
    /// Worded for the delivery log: `requester`, `approver of release-managers`, `subscription <id>`.
    public var reason: String
    public var timing: Timing

    public init(recipient: String, channel: NotificationChannel, reason: String, timing: Timing) {
        self.recipient = recipient
        self.channel = channel
        self.reason = reason
        self.timing = timing
    }
}
