/// The class of a configuration item: what kind of thing it is. The known list is closed; the
/// `configuration_items.class` CHECK constraint (migration 0003) holds the same raw values.
/// It lives in Contracts because CI commands carry it on the wire; planning uses this one type.
/// A class this version does not know decodes to `.unknown` (``ContractEnum``).
public enum CIClass: ContractEnum {
    case software, server, application, service, database, network, site, storage, middleware
    case unknown(String)

    public static let allCases: [CIClass] = [
        .software, .server, .application, .service, .database, .network, .site, .storage, .middleware,
    ]

    public var rawValue: String {
        switch self {
        case .software: "software"
        case .server: "server"
        case .application: "application"
        case .service: "service"
        case .database: "database"
        case .network: "network"
        case .site: "site"
        case .storage: "storage"
        case .middleware: "middleware"
        case .unknown(let rawValue): rawValue
        }
    }
}
