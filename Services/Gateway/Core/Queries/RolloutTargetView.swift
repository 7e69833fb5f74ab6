import Foundation

/// One target of a rollout (one source → target deploy) as the gateway shows it; the JSON
/// shape is the API's `RolloutTarget`.
public struct RolloutTargetView: Codable, Sendable, Equatable {
    public var taskKey: String
    public var source: String
    public var target: String
    public var site: String
    public var wave: Int
    public var batch: Int
    public var position: Int
    public var dependsOn: [String]
    public var state: String
    public var action: String
    public var attempts: Int
    public var pool: String?
    public var leaseOwner: String?
    public var dispatchedAt: Date?
    public var finishedAt: Date?
    public var detail: String?
    public var waitingForWorker: Bool
}

/// A page of targets; `nextCursor` (the last task key) is absent on the last page.
public struct RolloutTargetPage: Codable, Sendable, Equatable {
    public var items: [RolloutTargetView]
    public var nextCursor: String?
}

/// One target with every attempt at it (the API's `RolloutTargetDetail`).
public struct RolloutTargetDetail: Codable, Sendable, Equatable {
    public struct Attempt: Codable, Sendable, Equatable {
        public var action: String
        public var attempt: Int
        public var replica: String
        public var outcome: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var durationMs: Int64?
        public var detail: String?
        /// The scripts' output, bounded by shipboard-rollout (64 KiB).
        public var log: String
    }

    public var target: RolloutTargetView
    public var attempts: [Attempt]
}
