/// The bounds every script a service starts is held to: how long it may run, and how much
/// of what it prints is kept.
public struct ScriptLimits: Sendable, Equatable {
    public var timeout: Duration
    /// The most output captured per process, in bytes (the rest is counted, not kept).
    public var outputBytes: Int

    public init(timeout: Duration, outputBytes: Int) {
        self.timeout = timeout
        self.outputBytes = outputBytes
    }
}
