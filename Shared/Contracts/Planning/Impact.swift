/// How much of the business a release affects; with `Urgency` it gives the `Priority`.
public enum Impact: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case high, medium, low
}
