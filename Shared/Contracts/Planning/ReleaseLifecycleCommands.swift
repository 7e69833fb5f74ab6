// Lifecycle commands (ARCHITECTURE.md): one small payload each, all answered with
// `ReleaseSummary`. The actor is the envelope's; new fields must stay optional.

/// `planning.submit_release`: sends a draft release for authorization.
public struct SubmitRelease: CommandContract, Equatable {
    public static let messageType = "planning.submit_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// `planning.approve_release`: approves the current phase's gate as the envelope's actor.
public struct ApproveRelease: CommandContract, Equatable {
    public static let messageType = "planning.approve_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    /// Why, for the record; optional.
    public var comment: String?

    public init(releaseKey: String, comment: String? = nil) {
        self.releaseKey = releaseKey
        self.comment = comment
    }
}

/// `planning.reject_release`: rejects the release at the current phase's gate (terminal).
public struct RejectRelease: CommandContract, Equatable {
    public static let messageType = "planning.reject_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    /// Why the release is rejected; required and non-empty.
    public var reason: String

    public init(releaseKey: String, reason: String) {
        self.releaseKey = releaseKey
        self.reason = reason
    }
}

/// `planning.advance_release`: moves the release exactly one phase forward.
public struct AdvanceRelease: CommandContract, Equatable {
    public static let messageType = "planning.advance_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// `planning.hold_release`: puts an in-progress release on hold.
public struct HoldRelease: CommandContract, Equatable {
    public static let messageType = "planning.hold_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var reason: String?

    public init(releaseKey: String, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
    }
}

/// `planning.resume_release`: resumes a release on hold.
public struct ResumeRelease: CommandContract, Equatable {
    public static let messageType = "planning.resume_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// `planning.cancel_release`: cancels a release that is not yet terminal.
public struct CancelRelease: CommandContract, Equatable {
    public static let messageType = "planning.cancel_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var reason: String?

    public init(releaseKey: String, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
    }
}

/// `planning.close_release`: completes a release in `review`.
public struct CloseRelease: CommandContract, Equatable {
    public static let messageType = "planning.close_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}
