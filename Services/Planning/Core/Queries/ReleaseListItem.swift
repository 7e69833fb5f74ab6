import Contracts
import Foundation

/// One release in a list: what a dashboard row shows.
public struct ReleaseListItem: Codable, Sendable, Equatable {
    public var key: String
    public var title: String
    public var type: String
    public var priority: String
    public var phase: ReleasePhase
    public var status: ReleaseStatus
    public var requester: String
    public var coordinator: String
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    public var updatedAt: Date
}

/// One page of releases, ordered by key.
public struct ReleasePage: Codable, Sendable, Equatable {
    public var items: [ReleaseListItem]
    /// Pass as ``ReleaseFilter/afterKey`` for the next page; nil on the last page.
    public var nextAfterKey: String?
}

/// Which releases to list. Nil fields do not filter.
public struct ReleaseFilter: Sendable, Equatable {
    /// Page sizes accepted.
    public static let limits = 1...200

    public var phase: ReleasePhase?
    public var status: ReleaseStatus?
    public var type: ReleaseType?
    public var priority: Priority?
    public var requester: String?
    public var coordinator: String?
    /// Case-insensitive substring of the title; `%`, `_` and `\` match themselves.
    public var titleContains: String?
    /// Page size, 1 to 200.
    public var limit: Int
    /// Keyset cursor: only releases whose key sorts after this one.
    public var afterKey: String?

    public init(
        phase: ReleasePhase? = nil, status: ReleaseStatus? = nil, type: ReleaseType? = nil, priority: Priority? = nil,
        requester: String? = nil, coordinator: String? = nil, titleContains: String? = nil, limit: Int = 50,
        afterKey: String? = nil
    ) {
        self.phase = phase
        self.status = status
        self.type = type
        self.priority = priority
        self.requester = requester
        self.coordinator = coordinator
        self.titleContains = titleContains
        self.limit = limit
        self.afterKey = afterKey
    }
}
