// CMDB events, published on `shipboard.events` with routing key `ci.<event>`. Each carries
// the actor; the envelope's `occurredAt` is the time. New fields must stay optional.

/// `ci.upserted`: a CI was created or changed.
public struct CIUpserted: EventContract, Equatable {
    public static let messageType = "ci.upserted"
    public var key: String
    public var actor: String
    public var created: Bool
    public var ciClass: CIClass
    public var site: String?

    enum CodingKeys: String, CodingKey {
        case key, actor, created, ciClass = "class", site
    }

    public init(key: String, actor: String, created: Bool, ciClass: CIClass, site: String?) {
        self.key = key
        self.actor = actor
        self.created = created
        self.ciClass = ciClass
        self.site = site
    }
}

/// `ci.related`: "source <kind> target" was recorded.
public struct CIRelated: EventContract, Equatable {
    public static let messageType = "ci.related"
    public var source: String
    public var kind: CIRelationshipKind
    public var target: String
    public var actor: String
    /// True when this dependency closed a cycle.
    public var createsCycle: Bool?

    public init(source: String, kind: CIRelationshipKind, target: String, actor: String, createsCycle: Bool? = nil) {
        self.source = source
        self.kind = kind
        self.target = target
        self.actor = actor
        self.createsCycle = createsCycle
    }
}

/// `ci.unrelated`: "source <kind> target" was removed.
public struct CIUnrelated: EventContract, Equatable {
    public static let messageType = "ci.unrelated"
    public var source: String
    public var kind: CIRelationshipKind
    public var target: String
    public var actor: String

    public init(source: String, kind: CIRelationshipKind, target: String, actor: String) {
        self.source = source
        self.kind = kind
        self.target = target
        self.actor = actor
    }
}

/// `ci.imported`: an import stored CIs and relationships (counts, not content).
public struct CIImported: EventContract, Equatable {
    public static let messageType = "ci.imported"
    public var actor: String
    public var format: CIImportFormat
    public var items: Int
    public var relationshipsAdded: Int

    public init(actor: String, format: CIImportFormat, items: Int, relationshipsAdded: Int) {
        self.actor = actor
        self.format = format
        self.items = items
        self.relationshipsAdded = relationshipsAdded
    }
}
