/// How soon a release is needed; with `Impact` it gives the `Priority`.
public enum Urgency: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case high, medium, low
}
