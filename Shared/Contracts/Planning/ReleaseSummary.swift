/// The reply to a release command: where the release stands after it.
public struct ReleaseSummary: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var phase: ReleasePhase
    public var status: ReleaseStatus
    /// Exit criteria of severity `warning` that failed on an advance or close, as
    /// `name: detail`; nil when none did.
    public var warnings: [String]?

    public init(releaseKey: String, phase: ReleasePhase, status: ReleaseStatus, warnings: [String]? = nil) {
        self.releaseKey = releaseKey
        self.phase = phase
        self.status = status
        self.warnings = warnings
    }
}
