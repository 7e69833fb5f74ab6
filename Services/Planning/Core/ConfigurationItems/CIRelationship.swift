import Contracts

/// A directed relationship between two CIs, named by key: "source <kind> target".
public struct CIRelationship: Sendable, Hashable, Codable {
    /// The key of the CI the relationship starts at (the dependent side).
    public var source: String
    /// The key of the CI it points to (the side being relied on).
    public var target: String
    /// How they relate.
    public var kind: CIRelationshipKind

    public init(source: String, target: String, kind: CIRelationshipKind) {
        self.source = source
        self.target = target
        self.kind = kind
    }
}
