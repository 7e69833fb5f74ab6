import Contracts

/// What a listing of a rollout's targets asks for, checked before any SQL: a state, a site
/// and a wave to match, a page size, and the task key the previous page ended at.
public struct RolloutTargetFilter: Sendable, Equatable {
    public static let limits = 1...200

    public var state: RolloutTargetState?
    public var site: String?
    public var wave: Int?
    public var limit: Int
    public var afterTaskKey: String?

    public init(
        state: RolloutTargetState? = nil, site: String? = nil, wave: Int? = nil, limit: Int = 50, afterTaskKey: String? = nil
    ) throws(CommandError) {
        if case .unknown = state {
            throw CommandError(.validation, "state is not a target state", rule: "rollout.target_state", fields: ["state": "is unknown"])
        }
        if let site { try ShortText.check(site, field: "site", max: 64, rule: "rollout.target_filter") }
        if let afterTaskKey { try RolloutTargetFilter.checkTaskKey(afterTaskKey, field: "cursor") }
        if let wave, wave < 0 {
            throw CommandError(.validation, "wave must be 0 or more", rule: "rollout.target_filter", fields: ["wave": "must be 0 or more"])
        }
        guard Self.limits.contains(limit) else {
            throw CommandError(.validation, "limit must be 1 to 200", rule: "requests.limit", fields: ["limit": "must be 1 to 200"])
        }
        self.state = state
        self.site = site
        self.wave = wave
        self.limit = limit
        self.afterTaskKey = afterTaskKey
    }

    /// A task key as a path or cursor names it: short single-line text (the schema keeps at
    /// most 120 characters).
    public static func checkTaskKey(_ key: String, field: String = "taskKey") throws(CommandError) {
        try ShortText.check(key, field: field, max: 120, rule: "rollout.task_key")
    }
}
