// shipboard-build's messages: saving a release's image spec (a command with a reply), and
// what a build of it produced (events; planning learns the outcome from `ImageBuildFinished`).

/// One file of an image spec: its name in the image, its source under the build service's
/// import root, and whether it runs.
public struct ImageSpecFileInput: Codable, Sendable, Equatable {
    public var path: String
    public var from: String
    public var executable: Bool

    public init(path: String, from: String, executable: Bool = false) {
        self.path = path
        self.from = from
        self.executable = executable
    }
}

/// `build.save_image_spec`: sets (or replaces) the image spec of a release.
public struct SaveImageSpec: CommandContract, Equatable {
    public static let messageType = "build.save_image_spec"
    public typealias Result = ImageSpecSaved

    public var releaseKey: String
    public var name: String
    public var version: String
    public var targetClasses: [String]
    public var files: [ImageSpecFileInput]

    public init(releaseKey: String, name: String, version: String, targetClasses: [String], files: [ImageSpecFileInput]) {
        self.releaseKey = releaseKey
        self.name = name
        self.version = version
        self.targetClasses = targetClasses
        self.files = files
    }
}

/// The saved spec's revision (it counts saves) and its number of files.
public struct ImageSpecSaved: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var revision: Int
    public var fileCount: Int

    public init(releaseKey: String, revision: Int, fileCount: Int) {
        self.releaseKey = releaseKey
        self.revision = revision
        self.fileCount = fileCount
    }
}

/// `image.built`: the release's image exists, content-addressed by `sha256`.
public struct ImageBuilt: EventContract, Equatable {
    public static let messageType = "image.built"

    public var releaseKey: String
    public var taskKey: String
    public var sha256: String
    public var size: Int64
    public var fileCount: Int
    /// The text of the image's `communication-plan.md` (at most 256 KiB, already checked), if
    /// it has one: shipboard-notify schedules the briefings from the accepted image's plan.
    public var communicationPlan: String?

    public init(releaseKey: String, taskKey: String, sha256: String, size: Int64, fileCount: Int, communicationPlan: String? = nil) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.sha256 = sha256
        self.size = size
        self.fileCount = fileCount
        self.communicationPlan = communicationPlan
    }
}

/// `image.build_failed`: no image, and why, worded for the person who must fix it.
public struct ImageBuildFailed: EventContract, Equatable {
    public static let messageType = "image.build_failed"

    public var releaseKey: String
    public var taskKey: String
    public var reason: String

    public init(releaseKey: String, taskKey: String, reason: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.reason = reason
    }
}
