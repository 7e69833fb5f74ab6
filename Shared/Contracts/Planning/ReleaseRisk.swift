/// The assessed risk of a release.
public enum ReleaseRisk: String, Codable, Sendable, CaseIterable {
    case low, medium, high, critical
}
