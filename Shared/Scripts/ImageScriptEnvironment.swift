/// The variables every script of an image sees, whoever starts it (a test run, a deploy):
/// the fixed `PATH`, `HOME`, `LANG`, and what says where the image and its target are.
/// Each caller adds its own few (`SHIPBOARD_TEST_RUN`; `SHIPBOARD_TARGET_CI`, …) and passes
/// the whole dictionary to ``SandboxProcess``: nothing else is inherited.
///
/// | variable | value |
/// |---|---|
/// | `PATH` | `/usr/local/bin:/usr/bin:/bin` (fixed, not the service's) |
/// | `HOME` | the throwaway folder of this run or attempt |
/// | `LANG` | `C.UTF-8` |
/// | `SHIPBOARD_TARGET_ROOT` | the folder standing for the target host's `/` |
/// | `SHIPBOARD_IMAGE_DIR` | the unpacked image (also the working directory) |
/// | `SHIPBOARD_IMAGE_NAME` | the image's name |
/// | `SHIPBOARD_IMAGE_VERSION` | the image's version |
/// | `SHIPBOARD_IMAGE_SHA256` | the SHA-256 of the image archive |
/// | `SHIPBOARD_RELEASE_KEY` | the release the image belongs to, e.g. `REL-000042` |
public struct ImageScriptEnvironment: Sendable, Equatable {
    public static let path = "/usr/local/bin:/usr/bin:/bin"

    public var home: String
    public var targetRoot: String
    public var imageDirectory: String
    public var imageName: String
    public var imageVersion: String
    public var imageSha256: String
    public var releaseKey: String

    public init(
        home: String, targetRoot: String, imageDirectory: String, imageName: String, imageVersion: String, imageSha256: String,
        releaseKey: String
    ) {
        self.home = home
        self.targetRoot = targetRoot
        self.imageDirectory = imageDirectory
        self.imageName = imageName
        self.imageVersion = imageVersion
        self.imageSha256 = imageSha256
        self.releaseKey = releaseKey
    }

    /// These variables and `extra` (the caller's own, which never replace these).
    public func variables(adding extra: [String: String]) -> [String: String] {
        let common = [
            "PATH": Self.path,
            "HOME": home,
            "LANG": "C.UTF-8",
            "SHIPBOARD_TARGET_ROOT": targetRoot,
            "SHIPBOARD_IMAGE_DIR": imageDirectory,
            "SHIPBOARD_IMAGE_NAME": imageName,
            "SHIPBOARD_IMAGE_VERSION": imageVersion,
            "SHIPBOARD_IMAGE_SHA256": imageSha256,
            "SHIPBOARD_RELEASE_KEY": releaseKey,
        ]
        return common.merging(extra) { mine, _ in mine }
    }
}
