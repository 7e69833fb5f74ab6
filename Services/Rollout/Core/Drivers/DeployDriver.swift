/// Does the work of one deploy job on one target: installs and verifies an image there, or
/// backs it out. `local`, `ssh` and `simulated` implement it; the worker picks one by
/// configuration and never knows which.
///
/// - A script that fails, times out or is missing is an ``DeployOutcome`` whose
///   ``DeployOutcome/succeeded`` is false, with what the scripts printed: never a throw.
/// - A throw (``DeployDriverError``) is infrastructure trouble (a full disk, an unreachable
///   host): nothing can be said about the target, and the caller retries as a new attempt.
/// - The driver never retries on its own, and holds no state between calls: a replica may
///   die at any point, and the next attempt starts from the target's state on disk.
public protocol DeployDriver: Sendable {
    /// Installs `attempt`'s image on its target (`install.sh`), then checks it (`verify.sh`,
    /// when the image has one). A verify that fails leaves the install in place: backing
    /// out is the coordinator's decision, taken with the rest of the wave.
    func deploy(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome

    /// Undoes `attempt`'s image on its target (`backout.sh`).
    func backOut(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome
}

/// One attempt at one target: what to put where, and under which rollout.
public struct DeployAttempt: Sendable, Equatable {
    public var image: DeployImage
    public var target: DeployTarget
    /// The rollout's identifier, as its record names it.
    public var rolloutID: String
    /// The rollout task (one source → target rollout) the attempt belongs to.
    public var taskKey: String
    /// 1 for the first attempt at this task, then 2, 3, … (retries, expired leases).
    public var attempt: Int

    public init(image: DeployImage, target: DeployTarget, rolloutID: String, taskKey: String, attempt: Int) {
        self.image = image
        self.target = target
        self.rolloutID = rolloutID
        self.taskKey = taskKey
        self.attempt = attempt
    }
}

/// The image to deploy: an archive already fetched and verified (``DMLFetcher``), and what
/// the DML says it is.
public struct DeployImage: Sendable, Equatable {
    /// The verified `.tar.gz` on this replica's disk (the driver only reads it).
    public var archive: String
    /// The archive's SHA-256, 64 lowercase hex digits.
    public var sha256: String
    public var name: String
    public var version: String
    /// The release the image belongs to, e.g. `REL-000042`.
    public var releaseKey: String

    public init(archive: String, sha256: String, name: String, version: String, releaseKey: String) {
        self.archive = archive
        self.sha256 = sha256
        self.name = name
        self.version = version
        self.releaseKey = releaseKey
    }
}

/// The target CI, as the CMDB describes it.
public struct DeployTarget: Sendable, Equatable {
    /// The CI's key, e.g. `CI-SRV-0001`.
    public var ciKey: String
    /// The site it sits in, e.g. `FRA1`.
    public var site: String
    /// The CI's attributes; the `ssh` driver reads `host` (or `address`), `port` and `user`.
    public var attributes: [String: String]

    public init(ciKey: String, site: String, attributes: [String: String] = [:]) {
        self.ciKey = ciKey
        self.site = site
        self.attributes = attributes
    }
}
