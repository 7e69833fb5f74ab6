/// Why a single-CI or relationship operation of ``CIRepository`` was refused.
public enum CIRepositoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key does not match `CI-<TAG>-<number>`.
    case invalidKey(String)
    /// No stored CI has these keys.
    case unknownKeys([String])
    /// A relationship from a CI to itself.
    case selfRelationship(String)
    /// The CI's fields break a rule (name or site length).
    case invalidItem(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalidKey(let key): "'\(key.prefix(40))' is not a CI key like CI-APP-0001"
        case .unknownKeys(let keys): "unknown CI key(s): \(keys.joined(separator: ", "))"
        case .selfRelationship(let key): "\(key) cannot relate to itself"
        case .invalidItem(let field, let reason): "\(field) \(reason)"
        }
    }
}
