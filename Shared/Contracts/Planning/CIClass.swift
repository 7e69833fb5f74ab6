/// The class of a configuration item: what kind of thing it is. The list is closed; the
/// `configuration_items.class` CHECK constraint (migration 0003) holds the same raw values.
/// It lives in Contracts because CI commands carry it on the wire; planning uses this one type.
public enum CIClass: String, Sendable, Codable, CaseIterable, Hashable {
    case software, server, application, service, database, network, site, storage, middleware
}
