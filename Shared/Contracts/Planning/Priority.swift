/// The priority of a release, derived from impact × urgency through a priority matrix.
///
/// Named after the common ITIL scale (P1 critical … P5 planning); the wire value is the
/// name, and `level` gives the P-number for display and sorting.
public enum Priority: String, Codable, Sendable, CaseIterable, Comparable {
    case critical, high, moderate, low, planning

    /// 1 (critical, P1) to 5 (planning, P5).
    public var level: Int {
        switch self {
        case .critical: 1
        case .high: 2
        case .moderate: 3
        case .low: 4
        case .planning: 5
        }
    }

    /// Higher priority sorts first: `critical < high`.
    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        lhs.level < rhs.level
    }
}
