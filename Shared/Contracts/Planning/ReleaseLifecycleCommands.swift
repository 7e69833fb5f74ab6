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
public struct ApproveRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.approve_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    /// Why, for the record; optional.
    public var comment: String?

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, comment: String? = nil, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.comment = comment
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.reject_release`: rejects the release at the current phase's gate (terminal).
public struct RejectRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.reject_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    /// Why the release is rejected; required and non-empty.
    public var reason: String

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, reason: String, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.advance_release`: moves the release exactly one phase forward.
public struct AdvanceRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.advance_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.hold_release`: puts an in-progress release on hold.
public struct HoldRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.hold_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var reason: String?

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, reason: String? = nil, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.resume_release`: resumes a release on hold.
public struct ResumeRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.resume_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.cancel_release`: cancels a release that is not yet terminal.
public struct CancelRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.cancel_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var reason: String?

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, reason: String? = nil, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.close_release`: completes a release in `review`.
public struct CloseRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.close_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}

/// `planning.back_out_release`: records that a release being deployed was backed out (the
/// rollout failed and was reversed): `backed_out`, terminal. The reason is required.
public struct BackOutRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.back_out_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var reason: String

    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?

    public init(releaseKey: String, reason: String, expectedPhase: ReleasePhase, expectedVersion: Int? = nil) {
        self.releaseKey = releaseKey
        self.reason = reason
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}
