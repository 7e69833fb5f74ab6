import Foundation

// What the gateway reads from shipboard-notify's tables, in the JSON shapes of the API's
// schemas of the same names (the handlers convert them through that shape).

/// A site's contacts (`SiteContacts`).
public struct SiteContactsView: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        public var member: String
        public var addedBy: String
        public var addedAt: Date
    }

    public var site: String
    public var members: [Member]
}

/// One subscription (`NotificationSubscription`).
public struct SubscriptionView: Codable, Sendable, Equatable {
    public var id: String
    public var subscriberKind: String
    public var subscriber: String
    public var eventPattern: String
    public var channel: String
    public var releaseKey: String?
    public var releaseType: String?
    public var priority: String?
    public var site: String?
    public var createdBy: String
    public var createdAt: Date
}

/// A person's mode for one release or all (`NotificationPreference`).
public struct PreferenceView: Codable, Sendable, Equatable {
    /// Absent: every release.
    public var releaseKey: String?
    public var mode: String
    public var updatedAt: Date
}

/// A stored template, without its text (`NotificationTemplateSummary`).
public struct TemplateSummaryView: Codable, Sendable, Equatable {
    public var eventType: String
    public var channel: String
    public var revision: Int
    public var updatedBy: String
    public var updatedAt: Date
}

/// A template with its text (`NotificationTemplate`): stored, or the built-in default.
public struct TemplateView: Codable, Sendable, Equatable {
    public var eventType: String
    public var channel: String
    public var subject: String
    public var text: String
    public var html: String?
    public var builtIn: Bool
    public var revision: Int?
    public var updatedBy: String?
    public var updatedAt: Date?

    public init(
        eventType: String, channel: String, subject: String, text: String, html: String?, builtIn: Bool,
        revision: Int? = nil, updatedBy: String? = nil, updatedAt: Date? = nil
    ) {
        self.eventType = eventType
        self.channel = channel
        self.subject = subject
        self.text = text
        self.html = html
        self.builtIn = builtIn
        self.revision = revision
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

/// One message of a release's delivery log (`NotificationDelivery`).
public struct DeliveryView: Codable, Sendable, Equatable {
    public var id: String
    public var eventType: String
    public var recipient: String
    public var channel: String
    /// As shown: see ``DeliveryAddress``.
    public var address: String?
    public var reason: String
    public var state: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
}

/// A page of the delivery log (`NotificationDeliveryPage`).
public struct DeliveryPage: Codable, Sendable, Equatable {
    public var items: [DeliveryView]
    public var nextCursor: String?
}

/// One in-app notification (`NotificationFeedItem`).
public struct FeedItemView: Codable, Sendable, Equatable {
    public var id: String
    public var eventType: String
    public var releaseKey: String?
    public var subject: String
    public var text: String
    public var createdAt: Date
    public var read: Bool
    public var readAt: Date?
}

/// A page of a person's feed (`NotificationFeedPage`).
public struct FeedPage: Codable, Sendable, Equatable {
    public var items: [FeedItemView]
    public var unread: Int
    public var nextCursor: String?
}

/// One scheduled send of a release's communication plan (`ScheduledNotification`).
public struct ScheduledSendView: Codable, Sendable, Equatable {
    public var id: String
    public var subject: String
    public var audiences: [String]
    public var offsetSeconds: Int?
    public var outcome: String?
    public var dueAt: Date?
    public var state: String
    public var firedAt: Date?
    public var imageSha256: String
}
