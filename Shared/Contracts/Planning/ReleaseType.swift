/// The kind of release, which usually selects a template and its approval gates.
public enum ReleaseType: String, Codable, Sendable, CaseIterable {
    case major, minor, emergency, standard
}
