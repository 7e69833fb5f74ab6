/// A phase of the release process (ARCHITECTURE.md, "The process it automates"), in order.
///
/// The raw values are the wire names; `allCases` is the order a release moves through. A
/// phase this version does not know decodes to `.unknown` (``ContractEnum``): it has no
/// index and no next phase, and sorts after `review`.
public enum ReleasePhase: ContractEnum, Comparable {
    // Declaration order is the process order (synthesized `<`).
    case initiate
    case plan
    case build
    case test
    case rolloutPlan
    case prepare
    case deploy
    case review
    /// A phase this version does not know, with its wire name.
    case unknown(String)

    public static let allCases: [ReleasePhase] = [.initiate, .plan, .build, .test, .rolloutPlan, .prepare, .deploy, .review]

    public var rawValue: String {
        switch self {
        case .initiate: "initiate"
        case .plan: "plan"
        case .build: "build"
        case .test: "test"
        case .rolloutPlan: "rollout_plan"
        case .prepare: "prepare"
        case .deploy: "deploy"
        case .review: "review"
        case .unknown(let rawValue): rawValue
        }
    }

    /// Position in the process, from 0 (`initiate`) to 7 (`review`); nil for an unknown phase.
    public var index: Int? {
        Self.allCases.firstIndex(of: self)
    }

    /// The phase after this one; nil for `review` (a release in review is closed, not
    /// advanced) and for an unknown phase.
    public var next: ReleasePhase? {
        guard let index, index + 1 < Self.allCases.count else { return nil }
        return Self.allCases[index + 1]
    }
}
