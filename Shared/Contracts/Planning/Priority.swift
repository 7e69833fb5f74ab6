/// The priority of a release, derived from impact × urgency through a priority matrix.
///
/// Named after the common ITIL scale (P1 critical … P5 planning); the wire value is the
/// name, and `level` gives the P-number for display and sorting. A priority this version
/// does not know decodes to `.unknown` (``ContractEnum``) and sorts after `planning`.
public enum Priority: ContractEnum, Comparable {
    // Declaration order is the sort order (synthesized `<`): higher priority first.
    case critical, high, moderate, low, planning
    case unknown(String)

    public static let allCases: [Priority] = [.critical, .high, .moderate, .low, .planning]

    public var rawValue: String {
        switch self {
        case .critical: "critical"
        case .high: "high"
        case .moderate: "moderate"
        case .low: "low"
        case .planning: "planning"
        case .unknown(let rawValue): rawValue
        }
    }

    /// 1 (critical, P1) to 5 (planning, P5); nil for a priority this version does not know.
    public var level: Int? {
        switch self {
        case .critical: 1
        case .high: 2
        case .moderate: 3
        case .low: 4
        case .planning: 5
        case .unknown: nil
        }
    }
}
