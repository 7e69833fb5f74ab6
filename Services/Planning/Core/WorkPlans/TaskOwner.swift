import Contracts

/// Who is responsible for a task: one person, or a group whose members share the work
/// (a member is chosen as assignee when the task is assigned, see ``TaskAssignment``).
public enum TaskOwner: Sendable, Hashable, Codable {
    case person(String)
    case group(String)

    /// `person:NAME` or `group:NAME`, the form stored and shown.
    public var text: String {
        switch self {
        case .person(let name): "person:\(name)"
        case .group(let name): "group:\(name)"
        }
    }

    public init?(text: String) {
        if text.hasPrefix("person:") {
            self = .person(String(text.dropFirst("person:".count)))
        } else if text.hasPrefix("group:") {
            self = .group(String(text.dropFirst("group:".count)))
        } else {
            return nil
        }
    }

    /// The owner `text` names, or a validation error naming `field`.
    static func parse(_ text: String, field: String) throws(CommandError) -> TaskOwner {
        guard let owner = TaskOwner(text: text) else {
            throw CommandError(.validation, "an owner is person:NAME or group:NAME", rule: "tasks.owner",
                               fields: [field: "must be person:NAME or group:NAME"])
        }
        return owner
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let owner = TaskOwner(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an owner is person:NAME or group:NAME"))
        }
        self = owner
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Refuses a malformed owner: a person's name as actors are named, a group's as
    /// configuration names are.
    func validate(field: String) throws(CommandError) {
        switch self {
        case .person(let name): try ConfigurationNames.requirePerson(name, field: field)
        case .group(let name): try ConfigurationNames.require(name, field: field)
        }
    }
}
