/// How one configuration item relates to another, read "source <kind> target".
public enum CIRelationshipKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// The source needs the target to work (an application depends on a database).
    case dependsOn = "depends_on"
    /// The source is hosted on the target (software runs on a server).
    case runsOn = "runs_on"
    /// The source is physically at the target (a server is located at a site).
    case locatedAt = "located_at"
    /// The source is a component of the target (a module is part of a service).
    case partOf = "part_of"

    /// The kinds dependency and impact queries follow: a change to the target can break
    /// the source. `located_at` and `part_of` describe structure, not dependency.
    public static let dependencyKinds: [CIRelationshipKind] = [.dependsOn, .runsOn]
}
