import Contracts

/// A configuration item (CI): something a release changes or relies on.
public struct ConfigurationItem: Sendable, Hashable, Codable {
    /// The business key, `CI-<CLASS TAG>-<number>`, e.g. `CI-APP-0001` (see ``isValidKey(_:)``).
    public var key: String
    /// A human-readable name (1 to 200 characters).
    public var name: String
    /// What kind of item it is.
    public var ciClass: CIClass
    /// The site it belongs to, if any (e.g. `FRA1`).
    public var site: String?
    /// Free-form string attributes (version, vendor, …), stored as a JSON object.
    public var attributes: [String: String]

    public init(key: String, name: String, ciClass: CIClass, site: String? = nil, attributes: [String: String] = [:]) {
        self.key = key
        self.name = name
        self.ciClass = ciClass
        self.site = site
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case key, name, ciClass = "class", site, attributes
    }

    /// True for `^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$`, the pattern the table's CHECK enforces
    /// (the rule lives in Contracts, ``ConfigurationItemKey``, shared with the rollout planner).
    public static func isValidKey(_ key: String) -> Bool {
        ConfigurationItemKey.isValid(key)
    }
}
