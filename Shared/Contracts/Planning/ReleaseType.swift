/// The kind of release, which usually selects a template and its approval gates. A type
/// this version does not know decodes to `.unknown` (``ContractEnum``).
public enum ReleaseType: ContractEnum {
    case major, minor, emergency, standard
    case unknown(String)

    public static let allCases: [ReleaseType] = [.major, .minor, .emergency, .standard]

    public var rawValue: String {
        switch self {
        case .major: "major"
        case .minor: "minor"
        case .emergency: "emergency"
        case .standard: "standard"
        case .unknown(let rawValue): rawValue
        }
    }
}
