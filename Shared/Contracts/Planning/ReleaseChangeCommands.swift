// Commands that add change requests to a release or remove them, and their events.
// Status and risk travel as text so that a wrong value is answered with a validation
// error naming it, not dead-lettered as undecodable.

/// A change request as change management describes it.
public struct ChangeRequestInput: Codable, Sendable, Equatable {
    /// The id in the change management system, e.g. `CHG0031337`.
    public var externalId: String
    public var title: String
    /// `draft`, `submitted`, `approved`, `rejected`, `implemented` or `closed`; only `approved` may be added.
    public var status: String
    /// `low`, `medium`, `high` or `critical`.
    public var risk: String
    /// Keys of the configuration items the change touches.
    public var affectedCIs: [String]

    public init(externalId: String, title: String, status: String, risk: String, affectedCIs: [String] = []) {
        self.externalId = externalId
        self.title = title
        self.status = status
        self.risk = risk
        self.affectedCIs = affectedCIs
    }
}

/// `planning.add_change`: adds an approved change request to a release in `initiate` or `plan`.
public struct AddChange: CommandContract, Equatable {
    public static let messageType = "planning.add_change"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var change: ChangeRequestInput

    public init(releaseKey: String, change: ChangeRequestInput) {
        self.releaseKey = releaseKey
        self.change = change
    }
}

/// `planning.remove_change`: removes a change request from a release in `initiate` or `plan`.
public struct RemoveChange: CommandContract, Equatable {
    public static let messageType = "planning.remove_change"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var externalId: String
    /// Why, for the record; optional.
    public var reason: String?

    public init(releaseKey: String, externalId: String, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.externalId = externalId
        self.reason = reason
    }
}

/// `release.change_added`: a change request is now part of the release.
public struct ReleaseChangeAdded: EventContract, Equatable {
    public static let messageType = "release.change_added"
    public var releaseKey: String
    public var actor: String
    public var externalId: String
    public var title: String
    public var risk: String
    public var affectedCIs: [String]

    public init(releaseKey: String, actor: String, externalId: String, title: String, risk: String, affectedCIs: [String]) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.externalId = externalId
        self.title = title
        self.risk = risk
        self.affectedCIs = affectedCIs
    }
}

/// `release.change_removed`: a change request is no longer part of the release.
public struct ReleaseChangeRemoved: EventContract, Equatable {
    public static let messageType = "release.change_removed"
    public var releaseKey: String
    public var actor: String
    public var externalId: String
    public var reason: String?

    public init(releaseKey: String, actor: String, externalId: String, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.externalId = externalId
        self.reason = reason
    }
}
