/// A test run a tester decides on, with what acceptance needs to know about it: the image it
/// tested, how it ended, any decision already taken, and who made the image.
public struct AcceptanceCandidate: Sendable, Equatable {
    public var runId: Int64
    public var releaseKey: String
    public var buildId: Int64
    public var imageSha256: String
    public var size: Int64
    /// `name` and `version` from the build's manifest: the image's DML name.
    public var name: String
    public var version: String
    public var failed: Int
    /// `accepted` or `rejected` when the run was decided already.
    public var decision: String?
    /// Who saved the release's image spec and who requested the build (services included:
    /// the rules leave them out).
    public var makers: [String]

    public init(
        runId: Int64, releaseKey: String, buildId: Int64, imageSha256: String, size: Int64, name: String, version: String,
        failed: Int, decision: String?, makers: [String]
    ) {
        self.runId = runId
        self.releaseKey = releaseKey
        self.buildId = buildId
        self.imageSha256 = imageSha256
        self.size = size
        self.name = name
        self.version = version
        self.failed = failed
        self.decision = decision
        self.makers = makers
    }
}
