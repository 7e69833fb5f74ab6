import Contracts
import Foundation
import PlanningCore
import Postgres

/// A user as listed for an admin.
public struct GatewayUserListing: Sendable, Equatable {
    public let name: String
    public let roles: Set<Role>
    public let disabled: Bool
    public let createdAt: Date
}

extension IdentityStore {
    /// Every user, by name.
    public func users() async throws -> [GatewayUserListing] {
        let rows = try await pool.query(
            "SELECT id, name, array_to_json(roles)::text, disabled, created_at FROM \(identifier: schema).users ORDER BY name")
        return try rows.map { row in
            let user = try Self.decodeUser(row)
            return GatewayUserListing(
                name: user.name, roles: user.roles, disabled: try row.decode(at: 3, as: Bool.self),
                createdAt: try row.decode(at: 4, as: Date.self))
        }
    }

    /// The user called `name` (compared as planning compares people); `notFound` otherwise.
    public func user(named name: String) async throws -> GatewayUser {
        let rows = try await pool.query(
            "SELECT id, name, array_to_json(roles)::text FROM \(identifier: schema).users WHERE name = \(PersonID.normalized(name))")
        guard let row = rows.first else {
            throw CommandError(.notFound, "no user is called \(name.prefix(40))", rule: "users.exists")
        }
        return try Self.decodeUser(row)
    }
}

extension IdentityStore {
    /// Whether a token (revoked or not) has `id`.
    public func tokenExists(_ id: UUID) async throws -> Bool {
        !(try await pool.query("SELECT 1 FROM \(identifier: schema).api_tokens WHERE id = \(id)")).isEmpty
    }
}
