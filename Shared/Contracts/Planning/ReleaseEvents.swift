// Release events, published on `shipboard.events` with routing key `release.<event>`.
// Each carries the release key and the actor so a consumer needs no query to act on it;
// the envelope's `occurredAt` is the time. New fields must stay optional.

/// `release.created`: a release was recorded in `initiate`/`draft`.
public struct ReleaseCreated: EventContract, Equatable {
    public static let messageType = "release.created"
    public var releaseKey: String
    public var actor: String
    public var title: String
    public var type: ReleaseType
    public var priority: Priority?
    public var requester: String
    public var coordinator: String?

    public init(
        releaseKey: String, actor: String, title: String, type: ReleaseType, priority: Priority?,
        requester: String, coordinator: String?
    ) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.title = title
        self.type = type
        self.priority = priority
        self.requester = requester
        self.coordinator = coordinator
    }
}

/// `release.updated`: descriptive fields changed; `fields` names them (not their values).
public struct ReleaseUpdated: EventContract, Equatable {
    public static let messageType = "release.updated"
    public var releaseKey: String
    public var actor: String
    public var fields: [String]

    public init(releaseKey: String, actor: String, fields: [String]) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.fields = fields
    }
}

/// `release.submitted`: a draft was sent for authorization.
public struct ReleaseSubmitted: EventContract, Equatable {
    public static let messageType = "release.submitted"
    public var releaseKey: String
    public var actor: String
    /// The group that must approve, if the `initiate` phase has a gate.
    public var approverGroup: String?

    public init(releaseKey: String, actor: String, approverGroup: String?) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.approverGroup = approverGroup
    }
}

/// `release.approved`: one approval of the current phase's gate.
public struct ReleaseApproved: EventContract, Equatable {
    public static let messageType = "release.approved"
    public var releaseKey: String
    public var actor: String
    public var phase: ReleasePhase
    public var approvals: Int
    public var requiredApprovals: Int
    /// True when this approval reached the required count.
    public var gateOpen: Bool
    public var comment: String?

    public init(
        releaseKey: String, actor: String, phase: ReleasePhase, approvals: Int, requiredApprovals: Int,
        gateOpen: Bool, comment: String?
    ) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.phase = phase
        self.approvals = approvals
        self.requiredApprovals = requiredApprovals
        self.gateOpen = gateOpen
        self.comment = comment
    }
}

/// `release.rejected`: an approver rejected the release at the current phase's gate.
public struct ReleaseRejected: EventContract, Equatable {
    public static let messageType = "release.rejected"
    public var releaseKey: String
    public var actor: String
    public var phase: ReleasePhase
    public var reason: String

    public init(releaseKey: String, actor: String, phase: ReleasePhase, reason: String) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.phase = phase
        self.reason = reason
    }
}

/// `release.phase_changed`: the release moved one phase forward.
public struct ReleasePhaseChanged: EventContract, Equatable {
    public static let messageType = "release.phase_changed"
    public var releaseKey: String
    public var actor: String
    public var from: ReleasePhase
    public var to: ReleasePhase
    /// Exit criteria configured as warnings that failed but did not block.
    public var warnings: [String]?

    public init(releaseKey: String, actor: String, from: ReleasePhase, to: ReleasePhase, warnings: [String]? = nil) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.from = from
        self.to = to
        self.warnings = warnings
    }
}

/// `release.status_changed`: the release's status changed.
public struct ReleaseStatusChanged: EventContract, Equatable {
    public static let messageType = "release.status_changed"
    public var releaseKey: String
    public var actor: String
    public var phase: ReleasePhase
    public var from: ReleaseStatus
    public var to: ReleaseStatus
    public var reason: String?

    public init(
        releaseKey: String, actor: String, phase: ReleasePhase, from: ReleaseStatus, to: ReleaseStatus,
        reason: String? = nil
    ) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.phase = phase
        self.from = from
        self.to = to
        self.reason = reason
    }
}
