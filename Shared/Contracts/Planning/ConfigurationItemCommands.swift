// Commands that edit the CMDB: configuration items (CIs) and their relationships. CI
// edits belong to no release; planning audits them under the chain key `CMDB`.
// New fields must stay optional (MessageContract).

/// `planning.upsert_ci`: creates the CI with `key`, or replaces its name, class, site and
/// attributes.
public struct UpsertConfigurationItem: CommandContract, Equatable {
    public static let messageType = "planning.upsert_ci"
    public typealias Result = ConfigurationItemUpserted

    /// `CI-<2-12 of A-Z0-9>-<4-8 digits>`, e.g. `CI-APP-0001`.
    public var key: String
    /// 1 to 200 characters, no control characters.
    public var name: String
    public var ciClass: CIClass
    /// 1 to 100 characters when given, no control characters.
    public var site: String?
    /// At most 50 entries; names `[A-Za-z0-9_.-]{1,64}`, values up to 1,000 characters.
    public var attributes: [String: String]?

    enum CodingKeys: String, CodingKey {
        case key, name, ciClass = "class", site, attributes
    }

    public init(key: String, name: String, ciClass: CIClass, site: String? = nil, attributes: [String: String]? = nil) {
        self.key = key
        self.name = name
        self.ciClass = ciClass
        self.site = site
        self.attributes = attributes
    }
}

/// The reply to `planning.upsert_ci`.
public struct ConfigurationItemUpserted: Codable, Sendable, Equatable {
    public var key: String
    /// True when the CI did not exist before.
    public var created: Bool

    public init(key: String, created: Bool) {
        self.key = key
        self.created = created
    }
}

/// `planning.relate_cis`: records "source <kind> target". Both CIs must exist.
///
/// A dependency (`depends_on`, `runs_on`) that closes a cycle is recorded, not refused: a
/// CMDB describes what is, and the reply says so (`createsCycle`).
public struct RelateConfigurationItems: CommandContract, Equatable {
    public static let messageType = "planning.relate_cis"
    public typealias Result = ConfigurationItemsRelated

    public var source: String
    public var kind: CIRelationshipKind
    public var target: String

    public init(source: String, kind: CIRelationshipKind, target: String) {
        self.source = source
        self.kind = kind
        self.target = target
    }
}

/// `planning.unrelate_cis`: removes "source <kind> target".
public struct UnrelateConfigurationItems: CommandContract, Equatable {
    public static let messageType = "planning.unrelate_cis"
    public typealias Result = ConfigurationItemsRelated

    public var source: String
    public var kind: CIRelationshipKind
    public var target: String

    public init(source: String, kind: CIRelationshipKind, target: String) {
        self.source = source
        self.kind = kind
        self.target = target
    }
}

/// The reply to `planning.relate_cis` and `planning.unrelate_cis`.
public struct ConfigurationItemsRelated: Codable, Sendable, Equatable {
    /// False when nothing changed: the relationship already existed (relate) or did not (unrelate).
    public var changed: Bool
    /// True when the new dependency closes a cycle (relate only).
    public var createsCycle: Bool?

    public init(changed: Bool, createsCycle: Bool? = nil) {
        self.changed = changed
        self.createsCycle = createsCycle
    }
}

/// The formats `planning.import_cis` reads. A format this version does not know decodes to
/// `.unknown` (``ContractEnum``).
public enum CIImportFormat: ContractEnum {
    case csv, json
    case unknown(String)

    public static let allCases: [CIImportFormat] = [.csv, .json]

    public var rawValue: String {
        switch self {
        case .csv: "csv"
        case .json: "json"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// `planning.import_cis`: imports CIs and relationships from CSV or JSON, all or nothing.
/// A refusal lists every problem by line in `CommandError.fields` (`line 3` → message).
public struct ImportConfigurationItems: CommandContract, Equatable {
    public static let messageType = "planning.import_cis"
    public typealias Result = ConfigurationItemsImported
    /// The largest `content` accepted, in UTF-8 bytes (5 MB); larger imports are refused.
    public static let maxContentBytes = 5 * 1024 * 1024

    public var format: CIImportFormat
    public var content: String
    /// Check everything and answer with what the import would do, storing nothing.
    public var dryRun: Bool?
    /// Only create: a CI already stored is a problem of its line instead of an update.
    public var createOnly: Bool?

    public init(format: CIImportFormat, content: String, dryRun: Bool? = nil, createOnly: Bool? = nil) {
        self.format = format
        self.content = content
        self.dryRun = dryRun
        self.createOnly = createOnly
    }
}

/// The reply to `planning.import_cis`.
public struct ConfigurationItemsImported: Codable, Sendable, Equatable {
    /// CIs created or updated.
    public var items: Int
    /// Relationships added (ones already stored are not counted).
    public var relationshipsAdded: Int
    /// Of `items`, how many are new and how many were stored before.
    public var created: Int?
    public var updated: Int?
    /// True when nothing was stored: the counts are what the import would do.
    public var dryRun: Bool?

    public init(items: Int, relationshipsAdded: Int, created: Int? = nil, updated: Int? = nil, dryRun: Bool? = nil) {
        self.items = items
        self.relationshipsAdded = relationshipsAdded
        self.created = created
        self.updated = updated
        self.dryRun = dryRun
    }
}
