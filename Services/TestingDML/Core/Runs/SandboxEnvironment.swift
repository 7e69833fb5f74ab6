import Scripts

/// The whole environment of every process a test run starts: nothing is inherited from
/// shipboard-testing, so no database URL, broker URL or token can reach an image's script.
///
/// | variable | value |
/// |---|---|
/// | `PATH` | `/usr/local/bin:/usr/bin:/bin` (fixed, not the service's) |
/// | `HOME` | the run's sandbox folder (removed after the run) |
/// | `LANG` | `C.UTF-8` |
/// | `SHIPBOARD_TARGET_ROOT` | the empty folder the image installs into, standing for the target host's `/` |
/// | `SHIPBOARD_IMAGE_DIR` | the unpacked image (also the working directory) |
/// | `SHIPBOARD_IMAGE_NAME` | the image's name from its manifest |
/// | `SHIPBOARD_IMAGE_VERSION` | the image's version from its manifest |
/// | `SHIPBOARD_IMAGE_SHA256` | the SHA-256 of the image archive |
/// | `SHIPBOARD_RELEASE_KEY` | the release the image belongs to, e.g. `REL-000042` |
/// | `SHIPBOARD_TEST_RUN` | the run's identifier (a UUID, also the sandbox's folder name) |
public struct SandboxEnvironment: Sendable, Equatable {
    public static let path = ImageScriptEnvironment.path

    /// What every image script sees, a test's as a deploy's.
    public var image: ImageScriptEnvironment
    public var testRun: String

    public init(
        sandbox: String, targetRoot: String, imageDirectory: String, imageName: String, imageVersion: String,
        imageSha256: String, releaseKey: String, testRun: String
    ) {
        image = ImageScriptEnvironment(
            home: sandbox, targetRoot: targetRoot, imageDirectory: imageDirectory, imageName: imageName, imageVersion: imageVersion,
            imageSha256: imageSha256, releaseKey: releaseKey)
        self.testRun = testRun
    }

    /// Every variable a process sees, and only these.
    public var variables: [String: String] {
        image.variables(adding: ["SHIPBOARD_TEST_RUN": testRun])
    }
}

extension SandboxProcess {
    /// A test run's process: exactly `environment`'s variables, in the unpacked image.
    public init(limits: ScriptLimits, environment: SandboxEnvironment) {
        self.init(limits: limits, environment: environment.variables, workingDirectory: environment.image.imageDirectory)
    }
}
