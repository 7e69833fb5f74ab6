import Foundation

/// When a freeze window is in force, as a sender writes it: either `start` and `end` (one-off,
/// local date-times `YYYY-MM-DDTHH:MM` in the window's zone), or `weekdays`, `startTime`
/// (`HH:MM`) and `durationMinutes` with optional `firstDate`/`lastDate` (`YYYY-MM-DD`).
/// Planning checks it (`freezes.well_formed` names every wrong field).
public struct FreezeScheduleInput: Codable, Sendable, Equatable {
    public var start: String?
    public var end: String?
    /// `monday` … `sunday`.
    public var weekdays: [String]?
    public var startTime: String?
    public var durationMinutes: Int?
    public var firstDate: String?
    public var lastDate: String?

    public init(
        start: String? = nil, end: String? = nil, weekdays: [String]? = nil, startTime: String? = nil,
        durationMinutes: Int? = nil, firstDate: String? = nil, lastDate: String? = nil
    ) {
        self.start = start
        self.end = end
        self.weekdays = weekdays
        self.startTime = startTime
        self.durationMinutes = durationMinutes
        self.firstDate = firstDate
        self.lastDate = lastDate
    }
}

/// A freeze window as stored and read: what was saved, checked.
public struct FreezeWindowSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// `blackout` or `maintenance`.
    public var kind: String
    public var timeZone: String
    public var schedule: FreezeScheduleInput
    public var sites: [String]
    public var ciClasses: [String]

    public init(id: UUID, name: String, kind: String, timeZone: String, schedule: FreezeScheduleInput, sites: [String], ciClasses: [String]) {
        self.id = id
        self.name = name
        self.kind = kind
        self.timeZone = timeZone
        self.schedule = schedule
        self.sites = sites
        self.ciClasses = ciClasses
    }
}

/// `planning.save_freeze_window`: adds a freeze window (no `id`) or replaces the one with `id`.
/// Audited on the configuration chain.
public struct SaveFreezeWindow: CommandContract, Equatable {
    public static let messageType = "planning.save_freeze_window"
    public typealias Result = FreezeWindowSummary

    public var id: UUID?
    public var name: String
    /// `blackout` (deployments refused) or `maintenance` (expected; informational).
    public var kind: String
    /// An IANA zone, e.g. `Europe/Berlin`.
    public var timeZone: String
    public var schedule: FreezeScheduleInput
    public var sites: [String]
    public var ciClasses: [String]

    public init(
        id: UUID? = nil, name: String, kind: String, timeZone: String, schedule: FreezeScheduleInput,
        sites: [String] = [], ciClasses: [String] = []
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.timeZone = timeZone
        self.schedule = schedule
        self.sites = sites
        self.ciClasses = ciClasses
    }
}

/// `planning.delete_freeze_window`: removes a freeze window. Audited on the configuration chain.
public struct DeleteFreezeWindow: CommandContract, Equatable {
    public static let messageType = "planning.delete_freeze_window"
    public typealias Result = FreezeWindowDeleted

    public var id: UUID

    public init(id: UUID) {
        self.id = id
    }
}

public struct FreezeWindowDeleted: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String

    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

/// `planning.override_deployment_guards`: a release manager lets the release's deployment go
/// ahead despite the blackouts and collisions that stand in its way now, with a reason
/// (audited). The override covers exactly those windows and releases, for the release's
/// current schedule: a new window, a new collision or a new schedule needs a new override.
///
/// `asReleaseManager` is set by the gateway from the authenticated user's roles.
public struct OverrideDeploymentGuards: CommandContract, Equatable {
    public static let messageType = "planning.override_deployment_guards"
    public typealias Result = DeploymentGuardReport

    public var releaseKey: String
    public var reason: String
    public var asReleaseManager: Bool

    public init(releaseKey: String, reason: String, asReleaseManager: Bool = false) {
        self.releaseKey = releaseKey
        self.reason = reason
        self.asReleaseManager = asReleaseManager
    }
}

/// Two in-flight releases whose impact sets share CIs and whose deployment windows overlap.
public struct ReleaseCollisionSummary: Codable, Sendable, Equatable {
    /// The other release.
    public var releaseKey: String
    public var title: String
    /// The CIs both impact sets hold, sorted (at most 50; `sharedCount` has the number).
    public var sharedCIs: [String]
    public var sharedCount: Int
    /// When both windows are open.
    public var overlapStart: Date
    public var overlapEnd: Date
    /// Whether a release manager's override on record covers it.
    public var overridden: Bool

    public init(releaseKey: String, title: String, sharedCIs: [String], sharedCount: Int, overlapStart: Date, overlapEnd: Date, overridden: Bool) {
        self.releaseKey = releaseKey
        self.title = title
        self.sharedCIs = sharedCIs
        self.sharedCount = sharedCount
        self.overlapStart = overlapStart
        self.overlapEnd = overlapEnd
        self.overridden = overridden
    }
}

/// A blackout occurrence the release's deployment window falls in.
public struct FreezeConflictSummary: Codable, Sendable, Equatable {
    public var windowId: UUID
    public var windowName: String
    public var start: Date
    public var end: Date
    /// The occurrence on the window's own wall clock, e.g. `2026-12-20 00:00 – 2027-01-05 00:00 Europe/Berlin`.
    public var local: String
    public var overridden: Bool

    public init(windowId: UUID, windowName: String, start: Date, end: Date, local: String, overridden: Bool) {
        self.windowId = windowId
        self.windowName = windowName
        self.start = start
        self.end = end
        self.local = local
        self.overridden = overridden
    }
}

/// What stands in the way of a release's deployment now: blackouts and collisions, each
/// marked overridden or not, and the override on record (if any).
public struct DeploymentGuardReport: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var freezes: [FreezeConflictSummary]
    public var collisions: [ReleaseCollisionSummary]
    public var overriddenBy: String?
    public var overrideReason: String?

    public init(
        releaseKey: String, freezes: [FreezeConflictSummary], collisions: [ReleaseCollisionSummary],
        overriddenBy: String? = nil, overrideReason: String? = nil
    ) {
        self.releaseKey = releaseKey
        self.freezes = freezes
        self.collisions = collisions
        self.overriddenBy = overriddenBy
        self.overrideReason = overrideReason
    }
}

/// `release.collisions_found`: after a change to its schedule, changes or CIs, the release
/// collides with these in-flight releases (both releases' streams get one).
public struct ReleaseCollisionsFound: EventContract, Equatable {
    public static let messageType = "release.collisions_found"
    public var releaseKey: String
    public var actor: String
    public var collidesWith: [String]

    public init(releaseKey: String, actor: String, collidesWith: [String]) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.collidesWith = collidesWith
    }
}

/// `release.deployment_guards_overridden`: a release manager let the deployment go ahead
/// despite the named blackouts and collisions.
public struct DeploymentGuardsOverridden: EventContract, Equatable {
    public static let messageType = "release.deployment_guards_overridden"
    public var releaseKey: String
    public var actor: String
    public var reason: String
    public var windows: [UUID]
    public var collidesWith: [String]

    public init(releaseKey: String, actor: String, reason: String, windows: [UUID], collidesWith: [String]) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.reason = reason
        self.windows = windows
        self.collidesWith = collidesWith
    }
}
