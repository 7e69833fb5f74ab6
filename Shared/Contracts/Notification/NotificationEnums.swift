/// How a notification reaches a person.
public enum NotificationChannel: ContractEnum {
    case email, webhook, chat, inApp
    case unknown(String)

    public static let allCases: [NotificationChannel] = [.email, .webhook, .chat, .inApp]

    public var rawValue: String {
        switch self {
        case .email: "email"
        case .webhook: "webhook"
        case .chat: "chat"
        case .inApp: "in_app"
        case .unknown(let name): name
        }
    }
}

/// A person's choice for one release (or all): every message as it happens, one a day, or none.
public enum NotificationMode: ContractEnum {
    case immediate, digest, mute
    case unknown(String)

    public static let allCases: [NotificationMode] = [.immediate, .digest, .mute]

    public var rawValue: String {
        switch self {
        case .immediate: "immediate"
        case .digest: "digest"
        case .mute: "mute"
        case .unknown(let name): name
        }
    }
}

/// Who a subscription is for: one person, or every member of a group.
public enum SubscriberKind: ContractEnum {
    case person, group
    case unknown(String)

    public static let allCases: [SubscriberKind] = [.person, .group]

    public var rawValue: String {
        switch self {
        case .person: "person"
        case .group: "group"
        case .unknown(let name): name
        }
    }
}
