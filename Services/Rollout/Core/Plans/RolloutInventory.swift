import Contracts

/// The configuration items the rollout planner sees: what the caller read from planning's
/// CMDB tables (CIs with their class, site and attributes, and the relationships between
/// them). A plain value: the planner reads nothing else, so it is tested without a database.
public struct RolloutInventory: Sendable, Equatable {
    /// A configuration item as the planner needs it.
    public struct Item: Sendable, Equatable {
        public var key: String
        public var ciClass: CIClass
        /// Nil for a CI at no site (such a CI cannot be a target: deploy jobs route by site).
        public var site: String?
        public var attributes: [String: String]

        public init(key: String, ciClass: CIClass, site: String? = nil, attributes: [String: String] = [:]) {
            self.key = key
            self.ciClass = ciClass
            self.site = site
            self.attributes = attributes
        }
    }

    /// "source <kind> target", as planning records it.
    public struct Relationship: Sendable, Equatable, Hashable {
        public var source: String
        public var kind: CIRelationshipKind
        public var target: String

        public init(source: String, kind: CIRelationshipKind, target: String) {
            self.source = source
            self.kind = kind
            self.target = target
        }
    }

    /// Every item, by key (the CMDB's keys are unique; a repeated key keeps the first).
    public let items: [String: Item]
    public let relationships: [Relationship]

    public init(items: [Item], relationships: [Relationship] = []) {
        self.items = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.relationships = relationships
    }

    public subscript(key: String) -> Item? { items[key] }
}
