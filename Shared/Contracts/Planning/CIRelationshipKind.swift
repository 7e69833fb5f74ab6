/// How one configuration item relates to another, read "source <kind> target". A kind this
/// version does not know decodes to `.unknown` (``ContractEnum``).
public enum CIRelationshipKind: ContractEnum {
    /// The source needs the target to work (an application depends on a database).
    case dependsOn
    /// The source is hosted on the target (software runs on a server).
    case runsOn
    /// The source is physically at the target (a server is located at a site).
    case locatedAt
    /// The source is a component of the target (a module is part of a service).
    case partOf
    /// A kind this version does not know, with its wire name.
    case unknown(String)

    public static let allCases: [CIRelationshipKind] = [.dependsOn, .runsOn, .locatedAt, .partOf]

    public var rawValue: String {
        switch self {
        case .dependsOn: "depends_on"
        case .runsOn: "runs_on"
        case .locatedAt: "located_at"
        case .partOf: "part_of"
        case .unknown(let rawValue): rawValue
        }
    }

    /// The kinds dependency and impact queries follow: a change to the target can break
    /// the source. `located_at` and `part_of` describe structure, not dependency.
    public static let dependencyKinds: [CIRelationshipKind] = [.dependsOn, .runsOn]
}
