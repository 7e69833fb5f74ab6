import Foundation

/// One test run as the gateway shows it: which image it tested, how it ended, each test,
/// and the acceptance decision on it. The JSON shape is the API's `TestRun`.
public struct TestRunView: Codable, Sendable, Equatable {
    public struct Result: Codable, Sendable, Equatable {
        public var position: Int
        public var name: String
        /// `passed`, `failed` or `skipped`.
        public var outcome: String
        public var exitStatus: Int?
        public var durationMs: Int64
        public var detail: String
        /// Only when one run is read (``TestRunQueries/run(_:)``): a list leaves it out.
        public var output: String?
        /// Output past the service's bound: counted, not kept.
        public var outputDroppedBytes: Int64
    }

    public struct Acceptance: Codable, Sendable, Equatable {
        /// `accepted` or `rejected`.
        public var decision: String
        public var decidedBy: String
        public var reason: String?
        public var decidedAt: Date
    }

    public var id: Int64
    public var releaseKey: String
    public var taskKey: String
    public var buildId: Int64
    public var imageSha256: String
    public var outcome: String
    public var passed: Int
    public var failed: Int
    public var requestedBy: String
    public var startedAt: Date
    public var finishedAt: Date
    public var acceptance: Acceptance?
    public var results: [Result]
}
