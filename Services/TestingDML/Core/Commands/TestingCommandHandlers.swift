import Contracts
import Messaging
import Scripts

/// shipboard-testing's handlers: test runs of a release's image (`+Runs`), acceptance of a
/// tested image (`+Acceptance`) and the Definitive Media Library (`+DML`).
public struct TestingCommandHandlers: Sendable {
    public let schema: String
    /// Where shipboard-build's images are read from (the schema and the store).
    public let buildSchema: String
    public let settings: TestingFolders
    public let limits: TestRunLimits

    public init(schema: String = "testing", buildSchema: String = "build", settings: TestingFolders, limits: TestRunLimits) {
        self.schema = schema
        self.buildSchema = buildSchema
        self.settings = settings
        self.limits = limits
    }

    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        registerRuns(into: &handlers)
        registerAcceptance(into: &handlers)
        registerDML(into: &handlers)
        return handlers
    }
}

/// The folders shipboard-testing works in.
public struct TestingFolders: Sendable {
    /// shipboard-build's content-addressed image store (read only).
    public var imageStore: String
    /// The DML's content-addressed store (written only by this service).
    public var dmlStore: String
    /// Where throwaway sandboxes are made for test runs.
    public var workRoot: String
    /// How many versions of one image name the retention policy keeps available.
    public var keepVersions: Int

    public init(imageStore: String, dmlStore: String, workRoot: String, keepVersions: Int) {
        self.imageStore = imageStore
        self.dmlStore = dmlStore
        self.workRoot = workRoot
        self.keepVersions = keepVersions
    }
}

/// The bounds every process a test run starts is held to (shared with rollout's scripts).
public typealias TestRunLimits = ScriptLimits
