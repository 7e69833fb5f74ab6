/// `notify.subscribe`: tell a person (or every member of a group) about events whose type
/// matches `eventPattern` (`rollout.*`, `release.phase_changed`, `*`), on one channel,
/// optionally only for one release or releases of a type, priority or site. A person may
/// subscribe themselves; subscribing someone else or a group takes a release manager or an admin.
public struct Subscribe: CommandContract, Equatable {
    public static let messageType = "notify.subscribe"
    public typealias Result = SubscriptionSaved

    public var subscriberKind: SubscriberKind
    public var subscriber: String
    public var eventPattern: String
    public var channel: NotificationChannel
    public var releaseKey: String?
    public var releaseType: String?
    public var priority: String?
    public var site: String?

    public init(
        subscriberKind: SubscriberKind, subscriber: String, eventPattern: String, channel: NotificationChannel,
        releaseKey: String? = nil, releaseType: String? = nil, priority: String? = nil, site: String? = nil
    ) {
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

/// The subscription saved (or the identical one that existed: `existing`).
public struct SubscriptionSaved: Codable, Sendable, Equatable {
    public var id: String
    public var existing: Bool
    public init(id: String, existing: Bool) {
        self.id = id
        self.existing = existing
    }
}

/// `notify.unsubscribe`: remove a subscription (its subscriber, a release manager or an admin).
public struct Unsubscribe: CommandContract, Equatable {
    public static let messageType = "notify.unsubscribe"
    public typealias Result = Acknowledged
    public var id: String
    public init(id: String) { self.id = id }
}

/// `notify.set_preference`: the actor's mode for one release, or for all (`releaseKey` nil).
public struct SetNotificationPreference: CommandContract, Equatable {
    public static let messageType = "notify.set_preference"
    public typealias Result = Acknowledged
    public var releaseKey: String?
    public var mode: NotificationMode
    public init(releaseKey: String?, mode: NotificationMode) {
        self.releaseKey = releaseKey
        self.mode = mode
    }
}

/// `notify.set_site_contacts`: who speaks for a site (people, or `group:<name>`); replaces the list.
public struct SetSiteContacts: CommandContract, Equatable {
    public static let messageType = "notify.set_site_contacts"
    public typealias Result = Acknowledged
    public var site: String
    public var members: [String]
    public init(site: String, members: [String]) {
        self.site = site
        self.members = members
    }
}

/// A template's parts: a subject line, a plain-text body and, for email, an optional HTML body.
public struct NotificationTemplateText: Codable, Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String?
    public init(subject: String, text: String, html: String? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// `notify.save_template`: replace the template of (event type, channel). A template that
/// does not compile is refused with its line.
public struct SaveNotificationTemplate: CommandContract, Equatable {
    public static let messageType = "notify.save_template"
    public typealias Result = TemplateSaved
    public var eventType: String
    public var channel: NotificationChannel
    public var template: NotificationTemplateText
    public init(eventType: String, channel: NotificationChannel, template: NotificationTemplateText) {
        self.eventType = eventType
        self.channel = channel
        self.template = template
    }
}

public struct TemplateSaved: Codable, Sendable, Equatable {
    public var revision: Int
    public init(revision: Int) { self.revision = revision }
}

/// `notify.preview_template`: render a template (the stored one, or `template` if given)
/// against a stored event (`eventId`, or the latest of its type) for the actor.
public struct PreviewNotificationTemplate: CommandContract, Equatable {
    public static let messageType = "notify.preview_template"
    public typealias Result = TemplatePreview
    public var eventType: String
    public var channel: NotificationChannel
    public var template: NotificationTemplateText?
    public var eventId: String?
    public init(eventType: String, channel: NotificationChannel, template: NotificationTemplateText? = nil, eventId: String? = nil) {
        self.eventType = eventType
        self.channel = channel
        self.template = template
        self.eventId = eventId
    }
}

public struct TemplatePreview: Codable, Sendable, Equatable {
    public var eventId: String
    public var subject: String
    public var text: String
    public var html: String?
    public init(eventId: String, subject: String, text: String, html: String?) {
        self.eventId = eventId
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// `notify.mark_read`: in-app notifications the actor has read (their own only).
public struct MarkNotificationsRead: CommandContract, Equatable {
    public static let messageType = "notify.mark_read"
    public typealias Result = NotificationsMarked
    /// At most 1,000 ids; empty with `all` marks every unread one.
    public var ids: [String]
    public var all: Bool?
    public init(ids: [String], all: Bool? = nil) {
        self.ids = ids
        self.all = all
    }
}

public struct NotificationsMarked: Codable, Sendable, Equatable {
    public var marked: Int
    public init(marked: Int) { self.marked = marked }
}
