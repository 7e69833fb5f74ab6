import Scripts

/// The whole environment of every script a deploy driver starts (`install.sh`, `verify.sh`,
/// `backout.sh`): nothing is inherited from shipboard-rollout, so no database URL, broker
/// URL or DML token can reach an image's script.
///
/// | variable | value |
/// |---|---|
/// | `PATH` | `/usr/local/bin:/usr/bin:/bin` (fixed, not the service's) |
/// | `HOME` | the attempt's staging folder (removed afterwards) |
/// | `LANG` | `C.UTF-8` |
/// | `SHIPBOARD_TARGET_ROOT` | the folder standing for the target host's `/` (`local`: `<targets root>/<CI key>`) |
/// | `SHIPBOARD_IMAGE_DIR` | the unpacked image (also the working directory) |
/// | `SHIPBOARD_IMAGE_NAME` | the image's name in the DML |
/// | `SHIPBOARD_IMAGE_VERSION` | the image's version in the DML |
/// | `SHIPBOARD_IMAGE_SHA256` | the SHA-256 of the image archive |
/// | `SHIPBOARD_RELEASE_KEY` | the release the image belongs to, e.g. `REL-000042` |
/// | `SHIPBOARD_TARGET_CI` | the target CI's key, e.g. `CI-SRV-0001` |
/// | `SHIPBOARD_TARGET_SITE` | the target's site, e.g. `FRA1` |
/// | `SHIPBOARD_ROLLOUT_ID` | the rollout's identifier |
/// | `SHIPBOARD_ATTEMPT` | the attempt's number at this target, from 1 |
public struct DeployEnvironment: Sendable, Equatable {
    public var attempt: DeployAttempt
    /// The staging folder (`HOME`).
    public var staging: String
    public var targetRoot: String
    public var imageDirectory: String

    public init(attempt: DeployAttempt, staging: String, targetRoot: String, imageDirectory: String) {
        self.attempt = attempt
        self.staging = staging
        self.targetRoot = targetRoot
        self.imageDirectory = imageDirectory
    }

    /// Every variable a script sees, and only these: the image's scripts' common set
    /// (``ImageScriptEnvironment``) and the attempt's own.
    public var variables: [String: String] {
        let image = attempt.image
        return ImageScriptEnvironment(
            home: staging, targetRoot: targetRoot, imageDirectory: imageDirectory, imageName: image.name, imageVersion: image.version,
            imageSha256: image.sha256, releaseKey: image.releaseKey
        ).variables(adding: [
            "SHIPBOARD_TARGET_CI": attempt.target.ciKey,
            "SHIPBOARD_TARGET_SITE": attempt.target.site,
            "SHIPBOARD_ROLLOUT_ID": attempt.rolloutID,
            "SHIPBOARD_ATTEMPT": String(attempt.attempt),
        ])
    }
}
