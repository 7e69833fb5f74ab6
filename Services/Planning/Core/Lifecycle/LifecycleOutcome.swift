/// What an accepted lifecycle command produced: the new state and the events to publish
/// (in order, in the same transaction as the state).
public struct LifecycleOutcome: Sendable, Equatable {
    public var state: ReleaseState
    public var events: [ReleaseEvent]
    /// Exit criteria that failed without blocking (severity `warning`); empty for other commands.
    public var warnings: [ExitCriterionResult]

    public init(state: ReleaseState, events: [ReleaseEvent], warnings: [ExitCriterionResult] = []) {
        self.state = state
        self.events = events
        self.warnings = warnings
    }
}
