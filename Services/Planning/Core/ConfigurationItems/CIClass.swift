/// The class of a configuration item: what kind of thing it is. The list is closed; the
/// `configuration_items.class` CHECK constraint holds the same raw values.
public enum CIClass: String, Sendable, Codable, CaseIterable, Hashable {
    case software, server, application, service, database, network, site, storage, middleware
}
