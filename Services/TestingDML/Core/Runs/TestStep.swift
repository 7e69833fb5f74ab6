import Images

/// One step of an image's test plan, recorded as one test of the run.
public enum TestStep: Hashable, Sendable {
    /// Every file re-hashed against the manifest; the archive's digest is the build's.
    case integrity
    /// The manifest's schema: format, paths, sizes, digests, the required scripts.
    case manifest
    /// Unpack into the sandbox, digest the empty target root, run `install.sh`.
    case install
    /// `verify.sh`, when the image has one.
    case verify
    /// One of the image's own test scripts (an executable file under `tests/`).
    case script(ImagePath)
    /// `backout.sh`.
    case backout
    /// The target root's tree digest after backout equals the one before install.
    case backoutRestores

    public static let installScript = "install.sh"
    public static let backoutScript = "backout.sh"
    public static let verifyScript = "verify.sh"
    public static let testsFolder = "tests/"

    /// The test's name in the record: a fixed word, or the script's path in the image.
    public var name: String {
        switch self {
        case .integrity: "integrity"
        case .manifest: "manifest"
        case .install: "install"
        case .verify: "verify"
        case .script(let path): path.value
        case .backout: "backout"
        case .backoutRestores: "backout-restores"
        }
    }

    /// The script the step runs, as a path in the image, if it runs one.
    public var script: String? {
        switch self {
        case .install: Self.installScript
        case .verify: Self.verifyScript
        case .script(let path): path.value
        case .backout: Self.backoutScript
        case .integrity, .manifest, .backoutRestores: nil
        }
    }
}
