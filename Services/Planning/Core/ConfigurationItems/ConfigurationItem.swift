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

    /// True for `^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$`, the pattern the table's CHECK enforces.
    public static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "CI" else { return false }
        let tag = parts[1].utf8, number = parts[2].utf8
        let upperOrDigit = { (byte: UInt8) in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return (2...12).contains(tag.count) && tag.allSatisfy(upperOrDigit)
            && (4...8).contains(number.count) && number.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
