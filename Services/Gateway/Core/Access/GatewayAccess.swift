/// Who may call each operation of the gateway's OpenAPI document, by `operationId`: one table
/// for every route (function-level authorization). An operation missing here is refused for
/// everyone, and `GatewayAccessTests` fails, so a new route cannot ship without a decision.
/// Object-level checks (an approver acts only on releases whose gate names one of their
/// groups) come on top, in the route.
public enum GatewayAccess {
    /// Who an operation is for.
    public enum Rule: Sendable, Equatable {
        /// No token needed (the document itself).
        case everyone
        /// Any authenticated user, roles or none.
        case authenticated
        /// Users holding at least one of these roles.
        case roles(Set<Role>)
    }

    /// Every role that may read releases and the CMDB.
    public static let readers: Set<Role> = Set(Role.allCases)

    public static let rules: [String: Rule] = [
        "getOpenAPIDocument": .everyone,
        "getMe": .authenticated,
        "getRelease": .roles(readers),
    ]

    /// Whether `roles` (nil: not authenticated) may call `operationId`.
    public static func allows(_ operationId: String, roles: Set<Role>?) -> Bool {
        switch rules[operationId] {
        case .everyone: true
        case .authenticated: roles != nil
        case .roles(let allowed): !(roles ?? []).isDisjoint(with: allowed)
        case nil: false
        }
    }
}
