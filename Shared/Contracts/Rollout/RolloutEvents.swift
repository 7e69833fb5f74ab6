// What shipboard-rollout announces on `shipboard.events`: a plan made, every target's and
// wave's transition, and the rollout's own. Planning turns them into its work plan's rollout
// tasks and the release's status; notifications tell the stakeholders.

/// `rollout.planned`: a rollout was planned for the release (or planned again before it
/// started, replacing `replaces`). Planning puts one `rollout` task per entry in `tasks`
/// into the release's `deploy` phase and cancels the replaced plan's tasks that are not in it.
public struct RolloutPlannedEvent: EventContract, Equatable {
    public static let messageType = "rollout.planned"

    public var releaseKey: String
    public var rolloutId: String
    /// The rollout this plan replaces, when the release had one that had not started.
    public var replaces: String?
    /// The DML entry rolled out, `name@version`.
    public var image: String
    public var tasks: [RolloutTaskSpec]

    public init(releaseKey: String, rolloutId: String, replaces: String? = nil, image: String, tasks: [RolloutTaskSpec]) {
        self.releaseKey = releaseKey
        self.rolloutId = rolloutId
        self.replaces = replaces
        self.image = image
        self.tasks = tasks
    }
}

/// One source → target rollout, as planning's work plan records it.
public struct RolloutTaskSpec: Codable, Sendable, Equatable {
    /// `rollout-<source>-<target>`, lower-cased (``PlannedRollout/taskKey``).
    public var taskKey: String
    public var source: String
    public var target: String
    public var site: String
    public var wave: Int
    /// Task keys of the rollout tasks that must be done first.
    public var dependsOn: [String]

    public init(taskKey: String, source: String, target: String, site: String, wave: Int, dependsOn: [String] = []) {
        self.taskKey = taskKey
        self.source = source
        self.target = target
        self.site = site
        self.wave = wave
        self.dependsOn = dependsOn
    }
}

/// One target event's wire name.
public protocol RolloutTargetEventKind: Sendable {
    static var messageType: String { get }
    /// The target's state after the event.
    static var state: RolloutTargetState { get }
}

public enum TargetSucceededKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_succeeded"
    public static let state = RolloutTargetState.succeeded
}

public enum TargetFailedKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_failed"
    public static let state = RolloutTargetState.failed
}

public enum TargetBackedOutKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_backed_out"
    public static let state = RolloutTargetState.backedOut
}

public enum TargetSkippedKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_skipped"
    public static let state = RolloutTargetState.skipped
}

public enum TargetExcludedKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_excluded"
    public static let state = RolloutTargetState.excluded
}

/// A failed target is tried again (a person's retry): it is pending again.
public enum TargetRetriedKind: RolloutTargetEventKind {
    public static let messageType = "rollout.target_retried"
    public static let state = RolloutTargetState.pending
}

/// A target's transition. `attempt` is the attempt that ended (absent for a person's skip,
/// exclude or retry); `detail` says why it failed or who changed it.
public struct RolloutTargetEvent<Kind: RolloutTargetEventKind>: EventContract, Equatable {
    public static var messageType: String { Kind.messageType }

    public var releaseKey: String
    public var rolloutId: String
    public var taskKey: String
    public var target: String
    public var site: String
    public var wave: Int
    public var attempt: Int?
    public var detail: String?

    public init(
        releaseKey: String, rolloutId: String, taskKey: String, target: String, site: String, wave: Int,
        attempt: Int? = nil, detail: String? = nil
    ) {
        self.releaseKey = releaseKey
        self.rolloutId = rolloutId
        self.taskKey = taskKey
        self.target = target
        self.site = site
        self.wave = wave
        self.attempt = attempt
        self.detail = detail
    }
}

public typealias RolloutTargetSucceeded = RolloutTargetEvent<TargetSucceededKind>
public typealias RolloutTargetFailed = RolloutTargetEvent<TargetFailedKind>
public typealias RolloutTargetBackedOut = RolloutTargetEvent<TargetBackedOutKind>
public typealias RolloutTargetSkipped = RolloutTargetEvent<TargetSkippedKind>
public typealias RolloutTargetExcluded = RolloutTargetEvent<TargetExcludedKind>
public typealias RolloutTargetRetried = RolloutTargetEvent<TargetRetriedKind>

/// `rollout.wave_opened` / `rollout.wave_completed`: a wave started deploying, or every
/// target in it is settled. Counts are of the wave's targets.
public struct RolloutWaveEvent<Kind: RolloutWaveEventKind>: EventContract, Equatable {
    public static var messageType: String { Kind.messageType }

    public var releaseKey: String
    public var rolloutId: String
    public var wave: Int
    public var sites: [String]
    public var succeeded: Int
    public var failed: Int
    public var total: Int

    public init(releaseKey: String, rolloutId: String, wave: Int, sites: [String], succeeded: Int, failed: Int, total: Int) {
        self.releaseKey = releaseKey
        self.rolloutId = rolloutId
        self.wave = wave
        self.sites = sites
        self.succeeded = succeeded
        self.failed = failed
        self.total = total
    }
}

public protocol RolloutWaveEventKind: Sendable {
    static var messageType: String { get }
}

public enum WaveOpenedKind: RolloutWaveEventKind {
    public static let messageType = "rollout.wave_opened"
}

public enum WaveCompletedKind: RolloutWaveEventKind {
    public static let messageType = "rollout.wave_completed"
}

public typealias RolloutWaveOpened = RolloutWaveEvent<WaveOpenedKind>
public typealias RolloutWaveCompleted = RolloutWaveEvent<WaveCompletedKind>

/// One rollout event's wire name and the state it announces.
public protocol RolloutStateEventKind: Sendable {
    static var messageType: String { get }
    static var state: RolloutState { get }
}

public enum RolloutStartedKind: RolloutStateEventKind {
    public static let messageType = "rollout.started"
    public static let state = RolloutState.running
}

public enum RolloutPausedKind: RolloutStateEventKind {
    public static let messageType = "rollout.paused"
    public static let state = RolloutState.paused
}

public enum RolloutResumedKind: RolloutStateEventKind {
    public static let messageType = "rollout.resumed"
    public static let state = RolloutState.running
}

/// The failure threshold was reached (or a person aborted): targets are being backed out.
public enum RolloutHaltedKind: RolloutStateEventKind {
    public static let messageType = "rollout.halted"
    public static let state = RolloutState.halted
}

/// Every target the halt or abort named is backed out: the release is backed out.
public enum RolloutBackedOutKind: RolloutStateEventKind {
    public static let messageType = "rollout.backed_out"
    public static let state = RolloutState.backedOut
}

/// Aborted before any target had succeeded: nothing to back out.
public enum RolloutAbortedKind: RolloutStateEventKind {
    public static let messageType = "rollout.aborted"
    public static let state = RolloutState.aborted
}

public enum RolloutCompletedKind: RolloutStateEventKind {
    public static let messageType = "rollout.completed"
    public static let state = RolloutState.completed
}

/// A rollout's transition; `reason` for halts, aborts and backouts, `actor` on the envelope.
public struct RolloutStateEvent<Kind: RolloutStateEventKind>: EventContract, Equatable {
    public static var messageType: String { Kind.messageType }

    public var releaseKey: String
    public var rolloutId: String
    public var reason: String?
    /// Targets by state when it happened (state name → count).
    public var counts: [String: Int]

    public init(releaseKey: String, rolloutId: String, reason: String? = nil, counts: [String: Int] = [:]) {
        self.releaseKey = releaseKey
        self.rolloutId = rolloutId
        self.reason = reason
        self.counts = counts
    }
}

public typealias RolloutStarted = RolloutStateEvent<RolloutStartedKind>
public typealias RolloutPaused = RolloutStateEvent<RolloutPausedKind>
public typealias RolloutResumed = RolloutStateEvent<RolloutResumedKind>
public typealias RolloutHalted = RolloutStateEvent<RolloutHaltedKind>
public typealias RolloutBackedOut = RolloutStateEvent<RolloutBackedOutKind>
public typealias RolloutAborted = RolloutStateEvent<RolloutAbortedKind>
public typealias RolloutCompleted = RolloutStateEvent<RolloutCompletedKind>
