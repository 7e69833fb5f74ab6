import Contracts
import Foundation
import HummingbirdBcrypt
import PlanningCore
import Synchronization
import Postgres

/// A user as the gateway knows them: the name planning records as the actor, and roles.
public struct GatewayUser: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let roles: Set<Role>
    public let disabled: Bool

    public init(id: UUID, name: String, roles: Set<Role>, disabled: Bool) {
        self.id = id
        self.name = name
        self.roles = roles
        self.disabled = disabled
    }
}

/// A token as issued: the secret (shown once) and what is stored about it.
public struct IssuedToken: Sendable {
    public let id: UUID
    public let token: APIToken
    public let expiresAt: Date
}

/// What a token is good for.
public enum TokenScope: String, Sendable {
    /// `Authorization: Bearer` on every route the user's roles allow.
    case api
    /// Reading the release calendar at its subscription URL, and nothing else.
    case calendarFeed = "calendar_feed"
}

/// Users, roles, passwords and API tokens in `<schema>.users` and `<schema>.api_tokens`.
/// Every value is a bound parameter; names are validated and normalised like planning's
/// people (`PersonID`), so the authenticated user is the actor planning checks.
public struct IdentityStore: Sendable {
    public let schema: String
    public let pool: PostgresPool
    /// bcrypt cost (work factor): 12 in production; tests may lower it.
    public let bcryptCost: UInt8

    /// Longest lifetime a token may be given.
    public static let maxTokenLifetime: Duration = .seconds(366 * 86_400)

    public init(schema: String = GatewaySchema.name, pool: PostgresPool, bcryptCost: UInt8 = 12) {
        self.schema = schema
        self.pool = pool
        self.bcryptCost = bcryptCost
    }

    /// Creates a user; `password` (optional: API-only users have none) is stored as a bcrypt hash.
    @discardableResult
    public func createUser(
        name: String, roles: Set<Role>, password: String? = nil, createdBy: String
    ) async throws -> GatewayUser {
        try ConfigurationNames.requirePerson(name, field: "name")
        if let password { try Self.requireAcceptable(password) }
        let normalized = PersonID.normalized(name)
        var hash: String?
        if let password { hash = await Self.offloaded { [bcryptCost] in Bcrypt.hash(password, cost: bcryptCost) } }
        // Role words hold no comma: one bound text, split in SQL.
        let roleList = roles.sorted().map(\.rawValue).joined(separator: ",")
        do {
            let row = try await pool.query(
                """
                INSERT INTO \(identifier: schema).users (name, roles, password_hash, created_by)
                VALUES (\(normalized), coalesce(string_to_array(nullif(\(roleList), ''), ','), '{}'), \(hash), \(createdBy)) RETURNING id
                """
            ).single()
            return GatewayUser(id: try row.decode(at: 0, as: UUID.self), name: normalized, roles: roles, disabled: false)
        } catch where error.postgresError?.sqlState == "23505" {
            throw CommandError(.conflict, "a user named \(normalized) exists", rule: "users.unique", fields: ["name": "taken"])
        }
    }

    /// Issues a token for `user`, valid for `lifetime` (at most ``maxTokenLifetime``), good for
    /// `scope` only: the API (bearer) or reading the calendar feed.
    public func issueToken(for userID: UUID, label: String, lifetime: Duration, scope: TokenScope = .api) async throws -> IssuedToken {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CommandError(.validation, "a token label is 1 to 100 characters", rule: "tokens.label", fields: ["label": "invalid"])
        }
        guard lifetime > .zero, lifetime <= Self.maxTokenLifetime else {
            throw CommandError(
                .validation, "a token lives more than 0 s and at most 366 days", rule: "tokens.lifetime", fields: ["lifetime": "invalid"])
        }
        let token = APIToken.generate()
        let seconds = Double(lifetime.components.seconds)
        let row = try await pool.query(
            """
            INSERT INTO \(identifier: schema).api_tokens (user_id, token_hash, label, expires_at, scope)
            SELECT id, \(token.storedHash), \(trimmed), now() + make_interval(secs => \(seconds)), \(scope.rawValue)
            FROM \(identifier: schema).users WHERE id = \(userID) AND NOT disabled
            RETURNING id, expires_at
            """)
        guard let issued = row.first else {
            throw CommandError(.notFound, "no active user has that id", rule: "users.exists")
        }
        let (id, expiresAt) = try issued.decode((UUID, Date).self)
        return IssuedToken(id: id, token: token, expiresAt: expiresAt)
    }

    /// The user a presented token belongs to, or nil: malformed, unknown, expired, revoked,
    /// or its user disabled all look the same to the caller (401, saying nothing more).
    public func authenticate(token presented: String) async throws -> GatewayUser? {
        try await authenticateWithExpiry(token: presented)?.user
    }

    /// The same, with how long the token stays valid (for ``AuthenticationCache``).
    public func authenticateWithExpiry(token presented: String, scope: TokenScope = .api) async throws -> (user: GatewayUser, expiresIn: Duration)? {
        guard let token = APIToken(presented: presented) else { return nil }
        // A read on every request; `last_used_at` is written at most once a minute per token,
        // so a busy client does not turn every GET into a write.
        let rows = try await pool.query(
            """
            SELECT u.id, u.name, array_to_json(u.roles)::text, t.id,
                   t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute' AS stale,
                   extract(epoch FROM t.expires_at - now())::float8 AS remaining
            FROM \(identifier: schema).api_tokens t JOIN \(identifier: schema).users u ON t.user_id = u.id
            WHERE t.token_hash = \(token.storedHash) AND t.scope = \(scope.rawValue) AND t.revoked_at IS NULL AND t.expires_at > now()
              AND NOT u.disabled
            """)
        guard let row = rows.first else { return nil }
        if try row.decode(at: 4, as: Bool.self) {
            let tokenID = try row.decode(at: 3, as: UUID.self)
            try await pool.query("UPDATE \(identifier: schema).api_tokens SET last_used_at = now() WHERE id = \(tokenID)")
        }
        let remaining = try row.decode(at: 5, as: Double.self)
        return (try Self.decodeUser(row), .milliseconds(Int64(max(0, remaining) * 1000)))
    }

    /// The user whose name and password match, or nil (unknown name and wrong password look alike).
    public func authenticate(name: String, password: String) async throws -> GatewayUser? {
        // No user's name holds a NUL (names refuse control characters), and PostgreSQL text
        // cannot carry one: such a name is unknown without asking.
        let row = name.unicodeScalars.contains { $0.value == 0 } ? nil : try await pool.query(
            """
            SELECT id, name, array_to_json(roles)::text, password_hash FROM \(identifier: schema).users
            WHERE name = \(PersonID.normalized(name)) AND NOT disabled
            """).first
        let stored = try row.flatMap { try $0.decode(at: 3, as: String?.self) }
        // An unknown name (or a user without a password) is checked against a throwaway hash
        // of the same cost, so the answer takes as long as a wrong password and names no one.
        let matches = await Self.offloaded { [bcryptCost] in
            Bcrypt.verify(password, hash: stored ?? Self.throwawayHash(cost: bcryptCost)) && stored != nil
        }
        guard matches, let row else { return nil }
        return try Self.decodeUser(row)
    }

    /// bcrypt takes a quarter of a second at cost 12: it runs on a dispatch thread, never on
    /// an executor thread that serves other requests (the gateway runs its tasks on the NIO
    /// event loops).
    static func offloaded<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// A hash of a random password, one per cost, made once.
    private static func throwawayHash(cost: UInt8) -> String {
        throwawayHashes.withLock { hashes in
            if let hash = hashes[cost] { return hash }
            let hash = Bcrypt.hash(UUID().uuidString, cost: cost)
            hashes[cost] = hash
            return hash
        }
    }
    private static let throwawayHashes = Mutex<[UInt8: String]>([:])

    /// Revokes a token; true when it was active.
    @discardableResult
    public func revokeToken(_ id: UUID) async throws -> Bool {
        try await pool.query(
            "UPDATE \(identifier: schema).api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL"
        ).affectedRows == 1
    }

    /// Creates the first admin and a token for them, once: when an admin exists already it is
    /// a conflict (the way in after that is an admin's own token). Serialized by an advisory
    /// lock, so two bootstraps at once make one admin.
    public func bootstrapAdmin(name: String, tokenLifetime: Duration = .seconds(86_400)) async throws -> (GatewayUser, IssuedToken) {
        try ConfigurationNames.requirePerson(name, field: "name")
        let user: GatewayUser = try await inTransaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended(\(schema) || '/bootstrap-admin', 0))")
            let admins = try await transaction.query(
                "SELECT count(*) FROM \(identifier: schema).users WHERE 'admin' = ANY(roles)").single().decode(at: 0, as: Int.self)
            guard admins == 0 else {
                throw CommandError(.conflict, "an admin exists already; use an admin's token", rule: "users.bootstrap_done")
            }
            let normalized = PersonID.normalized(name)
            let id = try await transaction.query(
                """
                INSERT INTO \(identifier: schema).users (name, roles, created_by)
                VALUES (\(normalized), ARRAY['admin']::text[], 'bootstrap') RETURNING id
                """
            ).single().decode(at: 0, as: UUID.self)
            return GatewayUser(id: id, name: normalized, roles: [.admin], disabled: false)
        }
        return (user, try await issueToken(for: user.id, label: "bootstrap", lifetime: tokenLifetime))
    }

    /// Passwords: 12 to 200 characters, no control characters (a NUL would truncate bcrypt's input).
    static func requireAcceptable(_ password: String) throws(CommandError) {
        guard (12...200).contains(password.count), !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CommandError(
                .validation, "a password is 12 to 200 characters without control characters", rule: "users.password",
                fields: ["password": "invalid"])
        }
    }

    /// A transaction whose own refusals (`CommandError`) come out as they are, not wrapped.
    func inTransaction<Result: Sendable>(_ body: (PostgresTransaction) async throws -> Result) async throws -> Result {
        do {
            return try await pool.withTransaction { try await body($0) }
        } catch let error as PostgresTransactionError where error.step == .body {
            throw error.underlying
        }
    }

    /// Decodes `id, name, roles as JSON` (the first three columns).
    static func decodeUser(_ row: PostgresRow) throws -> GatewayUser {
        let id = try row.decode(at: 0, as: UUID.self)
        let name = try row.decode(at: 1, as: String.self)
        let rolesJSON = try row.decode(at: 2, as: String.self)
        let names = try JSONDecoder().decode([String].self, from: Data(rolesJSON.utf8))
        let roles = try names.map { name in
            guard let role = Role(rawValue: name) else {
                throw CommandError(.internal, "a stored role this version does not know", rule: "users.stored_values")
            }
            return role
        }
        return GatewayUser(id: id, name: name, roles: Set(roles), disabled: false)
    }
}
