import Images

/// The image a run tests: shipboard-build's record of the release's latest successful build.
public struct BuiltImage: Sendable, Equatable {
    public var buildId: Int64
    public var releaseKey: String
    public var sha256: String
    /// The manifest the build recorded; the archive's own must equal it.
    public var manifest: ImageManifest

    public init(buildId: Int64, releaseKey: String, sha256: String, manifest: ImageManifest) {
        self.buildId = buildId
        self.releaseKey = releaseKey
        self.sha256 = sha256
        self.manifest = manifest
    }
}
