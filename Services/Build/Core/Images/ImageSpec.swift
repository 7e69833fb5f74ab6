import Images
/// What goes into a software image: its metadata and each file, named inside the image and
/// found under the build service's import root. Pure: `validated()` checks what can be
/// checked without touching the disk.
public struct ImageSpec: Equatable, Sendable {
    /// One file of the image: where it goes, where it comes from, whether it runs.
    public struct Source: Equatable, Sendable {
        public var path: ImagePath
        /// Relative to the import root.
        public var from: ImagePath
        public var executable: Bool

        public init(path: ImagePath, from: ImagePath, executable: Bool) {
            self.path = path
            self.from = from
            self.executable = executable
        }
    }

    public static let installScript = "install.sh"
    public static let backoutScript = "backout.sh"

    public var name: String
    public var version: String
    public var releaseKey: String
    public var targetClasses: [String]
    public var sources: [Source]

    public init(name: String, version: String, releaseKey: String, targetClasses: [String], sources: [Source]) {
        self.name = name
        self.version = version
        self.releaseKey = releaseKey
        self.targetClasses = targetClasses
        self.sources = sources
    }

    /// The sources in archive order, after the checks: no path twice, none named like the
    /// manifest, an install script and a backout procedure at the root.
    public func validated() throws(ImageSpecError) -> [Source] {
        var seen: Set<ImagePath> = []
        for source in sources {
            guard source.path.value != ImageManifest.entryName else {
                throw .invalidPath(source.path.value, "is reserved for the manifest the build writes")
            }
            guard seen.insert(source.path).inserted else { throw .duplicatePath(source.path.value) }
        }
        guard seen.contains(where: { $0.value == Self.installScript }) else { throw .missingInstallScript }
        guard seen.contains(where: { $0.value == Self.backoutScript }) else { throw .missingBackoutScript }
        return sources.sorted { $0.path < $1.path }
    }
}
