import Contracts

/// An event a lifecycle command causes, to be written to the outbox with the new state.
public enum ReleaseEvent: Sendable, Equatable {
    case submitted(ReleaseSubmitted)
    case approved(ReleaseApproved)
    case rejected(ReleaseRejected)
    case phaseChanged(ReleasePhaseChanged)
    case statusChanged(ReleaseStatusChanged)

    /// The wire name and routing key, e.g. `release.phase_changed`.
    public var messageType: String {
        switch self {
        case .submitted: ReleaseSubmitted.messageType
        case .approved: ReleaseApproved.messageType
        case .rejected: ReleaseRejected.messageType
        case .phaseChanged: ReleasePhaseChanged.messageType
        case .statusChanged: ReleaseStatusChanged.messageType
        }
    }

    /// The event itself, for the outbox.
    public var payload: any EventContract {
        switch self {
        case .submitted(let event): event
        case .approved(let event): event
        case .rejected(let event): event
        case .phaseChanged(let event): event
        case .statusChanged(let event): event
        }
    }
}
