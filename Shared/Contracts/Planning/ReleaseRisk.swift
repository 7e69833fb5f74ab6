/// The assessed risk of a release. A value this version does not know decodes to
/// `.unknown` (``ContractEnum``).
public enum ReleaseRisk: ContractEnum {
    case low, medium, high, critical
    case unknown(String)

    public static let allCases: [ReleaseRisk] = [.low, .medium, .high, .critical]

    public var rawValue: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        case .unknown(let rawValue): rawValue
        }
    }
}
