/// A phase of the release process (ARCHITECTURE.md, "The process it automates"), in order.
///
/// The raw values are the wire names; `allCases` is the order a release moves through.
public enum ReleasePhase: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable, Comparable {
    case initiate
    case plan
    case build
    case test
    case rolloutPlan = "rollout_plan"
    case prepare
    case deploy
    case review

    /// Position in the process, from 0 (`initiate`) to 7 (`review`).
    public var index: Int {
        Self.allCases.firstIndex(of: self) ?? 0
    }

    /// The phase after this one, or nil for `review` (a release in review is closed, not advanced).
    public var next: ReleasePhase? {
        let all = Self.allCases
        let following = index + 1
        return following < all.count ? all[following] : nil
    }

    public static func < (lhs: ReleasePhase, rhs: ReleasePhase) -> Bool {
        lhs.index < rhs.index
    }
}
