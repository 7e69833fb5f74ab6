/// How much of the business a release affects; with `Urgency` it gives the `Priority`.
/// A value this version does not know decodes to `.unknown` (``ContractEnum``).
public enum Impact: ContractEnum {
    case high, medium, low
    case unknown(String)

    public static let allCases: [Impact] = [.high, .medium, .low]

    public var rawValue: String {
        switch self {
        case .high: "high"
        case .medium: "medium"
        case .low: "low"
        case .unknown(let rawValue): rawValue
        }
    }
}
