/// A command that acts on what its sender saw of a release: the phase (and, optionally, the
/// version) on the sender's screen. Planning refuses the command as a conflict when the
/// release has moved on since (`releases.stale_view`), so a double click or a resent form
/// never advances two phases or approves the next gate. The phase is required (a command
/// without it is malformed); the version is optional and stricter (any change since).
public protocol ReleaseViewExpectation: Sendable {
    var releaseKey: String { get }
    /// The phase the sender saw.
    var expectedPhase: ReleasePhase { get }
    /// The release version the sender saw (`ReleaseDetail.version`); stricter than the phase.
    var expectedVersion: Int? { get }
}
