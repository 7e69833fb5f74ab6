import Contracts

extension ReleaseQueries {
    /// Refuses what the list query would not answer sensibly, naming each field.
    static func validate(_ filter: ReleaseFilter) throws(CommandError) {
        var fields: [String: String] = [:]
        if !ReleaseFilter.limits.contains(filter.limit) {
            fields["limit"] = "must be \(ReleaseFilter.limits.lowerBound) to \(ReleaseFilter.limits.upperBound)"
        }
        if let text = filter.titleContains, text.count > 200 { fields["titleContains"] = "must be at most 200 characters" }
        for (name, value) in [("requester", filter.requester), ("coordinator", filter.coordinator), ("afterKey", filter.afterKey)] {
            if let value, value.count > 200 { fields[name] = "must be at most 200 characters" }
        }
        // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the server.
        for (name, value) in [("titleContains", filter.titleContains), ("requester", filter.requester),
                              ("coordinator", filter.coordinator), ("afterKey", filter.afterKey)] {
            if let value, value.unicodeScalars.contains("\0") { fields[name] = "must not contain NUL" }
        }
        guard fields.isEmpty else {
            throw CommandError(.validation, "the release list cannot be queried as given", rule: "queries.well_formed", fields: fields)
        }
    }

    /// `text` as a LIKE pattern that matches itself: `\`, `%` and `_` are escaped with `\`
    /// (the query says `ESCAPE '\'`).
    static func escapedForLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Fails with `notFound` unless a release has `key`.
    func requireRelease(_ key: String) async throws {
        let rows = try await pool.query("SELECT 1 FROM \(identifier: schema).releases WHERE key = \(key)")
        if rows.isEmpty { throw Self.unknownRelease(key) }
    }

    static func unknownRelease(_ key: String) -> CommandError {
        CommandError(.notFound, "release \(key.prefix(40)) does not exist", rule: "releases.exists")
    }

    static func phase(_ raw: String) throws(CommandError) -> ReleasePhase {
        guard let phase = ReleasePhase(knownRawValue: raw) else { throw CommandError(.internal, "a stored phase is unknown") }
        return phase
    }

    static func status(_ raw: String) throws(CommandError) -> ReleaseStatus {
        guard let status = ReleaseStatus(knownRawValue: raw) else { throw CommandError(.internal, "a stored status is unknown") }
        return status
    }
}
