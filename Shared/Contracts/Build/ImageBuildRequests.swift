// A build asked for by a person (through the gateway), not by planning's orchestration: the
// build service answers at once and builds in the background, so a large image never holds
// an HTTP request open.

/// `build.request_build`: build the release's image now from its saved spec.
public struct RequestImageBuild: CommandContract, Equatable {
    public static let messageType = "build.request_build"
    public typealias Result = ImageBuildRequested

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// The build was queued: `taskKey` names it in `image.built` / `image.build_failed`.
public struct ImageBuildRequested: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var taskKey: String

    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}
