/// The reply to a release command: where the release stands after it.
public struct ReleaseSummary: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var phase: ReleasePhase
    public var status: ReleaseStatus

    public init(releaseKey: String, phase: ReleasePhase, status: ReleaseStatus) {
        self.releaseKey = releaseKey
        self.phase = phase
        self.status = status
    }
}
