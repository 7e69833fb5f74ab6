import Contracts

/// What a DML listing asks for, checked before any SQL: a name and a state to match, and a
/// page size. Also the one rule for an entry's coordinates (`name@version`) named in a path.
public struct DMLFilter: Sendable, Equatable {
    public static let limits = 1...200

    public var name: String?
    /// `available` or `retired`.
    public var state: String?
    public var limit: Int

    public init(name: String? = nil, state: String? = nil, limit: Int = 50) throws(CommandError) {
        if let name { try Self.check(name, field: "name", max: 100) }
        guard Self.limits.contains(limit) else {
            throw CommandError(.validation, "limit must be 1 to 200", rule: "requests.limit", fields: ["limit": "must be 1 to 200"])
        }
        self.name = name
        self.state = state
        self.limit = limit
    }

    /// An entry's name and version as a path names them: short single-line text (the DML
    /// stores names of at most 100 characters and versions of at most 50).
    public static func checkCoordinates(name: String, version: String) throws(CommandError) {
        try check(name, field: "name", max: 100)
        try check(version, field: "version", max: 50)
    }

    static func check(_ value: String, field: String, max: Int) throws(CommandError) {
        try ShortText.check(value, field: field, max: max, rule: "dml.coordinates")
    }
}
