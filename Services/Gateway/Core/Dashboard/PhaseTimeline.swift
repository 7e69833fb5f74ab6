import Contracts

/// A release's phases in process order, each marked as passed, current or to come: the
/// timeline at the top of the dashboard's release page. A terminal release's current phase
/// is where it stopped (`ended`); an unknown phase (newer than this gateway) marks none current.
public struct PhaseTimeline: Sendable, Equatable {
    public enum Mark: String, Sendable {
        case passed, current, ended, upcoming
    }

    public struct Step: Sendable, Equatable {
        public let phase: ReleasePhase
        public let mark: Mark
    }

    public let steps: [Step]

    public init(phase: ReleasePhase, status: ReleaseStatus) {
        steps = ReleasePhase.allCases.map { step in
            let mark: Mark
            if !phase.isKnown { mark = .upcoming }
            else if step < phase { mark = .passed }
            else if step == phase { mark = status.isTerminal ? .ended : .current }
            else { mark = .upcoming }
            return Step(phase: step, mark: mark)
        }
    }
}
