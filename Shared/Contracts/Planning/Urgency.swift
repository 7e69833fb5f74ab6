/// How soon a release is needed; with `Impact` it gives the `Priority`.
/// A value this version does not know decodes to `.unknown` (``ContractEnum``).
public enum Urgency: ContractEnum {
    case high, medium, low
    case unknown(String)

    public static let allCases: [Urgency] = [.high, .medium, .low]

    public var rawValue: String {
        switch self {
        case .high: "high"
        case .medium: "medium"
        case .low: "low"
        case .unknown(let rawValue): rawValue
        }
    }
}
