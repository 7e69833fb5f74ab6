import Contracts
import Foundation
import GatewayCore
import Postgres
import ShipboardTestSupport
import Testing

/// Users, passwords and API tokens against the real PostgreSQL, each test in a schema of its own.
@Suite("Gateway identity: users, passwords, API tokens")
struct IdentityStoreTests {
    static func makeStore() async throws -> IdentityStore {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let schema = "gw_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: 4)
        try await pool.query("SELECT public.shipboard_create_gateway_identity_tables(\(schema))")
        try await pool.query("SELECT public.shipboard_create_gateway_calendar_feeds(\(schema))")
        // Cost 4: bcrypt's minimum, so the tests do not spend seconds hashing.
        return IdentityStore(schema: schema, pool: pool, bcryptCost: 4)
    }

    /// A store on the real `gateway` schema of the migrated test database, as the service role.
    static func serviceRoleStore() async throws -> IdentityStore {
        let owner = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(owner)
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")), maxConnections: 2)
        return IdentityStore(pool: pool, bcryptCost: 4)
    }

    static func drop(_ store: IdentityStore) async {
        _ = try? await store.pool.query("DROP SCHEMA \(identifier: store.schema) CASCADE")
        await store.pool.close()
    }

    @Test("a token is shown once, stored only as its SHA-256, and authenticates its user with their roles")
    func tokenAuthenticates() async throws {
        let store = try await Self.makeStore()
        let user = try await store.createUser(name: "Dave", roles: [.approver, .viewer], createdBy: "admin")
        #expect(user.name == "dave")
        let issued = try await store.issueToken(for: user.id, label: "laptop", lifetime: .seconds(3600))
        #expect(issued.token.secret.hasPrefix("sbt_") && issued.token.secret.count == 47)
        #expect(!String(describing: issued.token).contains(issued.token.secret.dropFirst(4)), "never printed")
        let stored = try await store.pool.query("SELECT token_hash FROM \(identifier: store.schema).api_tokens").single()
            .decode(at: 0, as: String.self)
        #expect(stored == issued.token.storedHash && !stored.contains(issued.token.secret))
        let found = try #require(try await store.authenticate(token: issued.token.secret))
        #expect(found.name == "dave" && found.roles == [.approver, .viewer])
        await Self.drop(store)
    }

    @Test("expired, revoked, unknown and malformed tokens, and a disabled user's token, all fail alike")
    func tokensThatFail() async throws {
        let store = try await Self.makeStore()
        let user = try await store.createUser(name: "erin", roles: [.viewer], createdBy: "admin")
        let revoked = try await store.issueToken(for: user.id, label: "old", lifetime: .seconds(3600))
        #expect(try await store.revokeToken(revoked.id))
        #expect(try await !store.revokeToken(revoked.id), "revoking twice changes nothing")
        #expect(try await store.authenticate(token: revoked.token.secret) == nil)

        let expiring = try await store.issueToken(for: user.id, label: "short", lifetime: .seconds(1))
        try await store.pool.query(
            "UPDATE \(identifier: store.schema).api_tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour' WHERE id = \(expiring.id)")
        #expect(try await store.authenticate(token: expiring.token.secret) == nil)

        for presented in ["", "sbt_", "Bearer x", String(repeating: "a", count: 47), "sbt_" + String(repeating: "!", count: 43),
                          APIToken.generate().secret, "sbt_\u{0}" + String(repeating: "a", count: 42)] {
            #expect(try await store.authenticate(token: presented) == nil)
        }
        let active = try await store.issueToken(for: user.id, label: "active", lifetime: .seconds(3600))
        #expect(try await store.authenticate(token: active.token.secret) != nil)
        try await store.pool.query("UPDATE \(identifier: store.schema).users SET disabled = true WHERE id = \(user.id)")
        #expect(try await store.authenticate(token: active.token.secret) == nil)
        await #expect(throws: CommandError.self) { try await store.issueToken(for: user.id, label: "x", lifetime: .seconds(60)) }
        await Self.drop(store)
    }

    @Test("passwords are bcrypt hashes; a wrong password and an unknown name fail alike; weak or hostile ones are refused")
    func passwords() async throws {
        let store = try await Self.makeStore()
        _ = try await store.createUser(name: "Rita", roles: [.releaseManager], password: "correct horse battery", createdBy: "admin")
        let hash = try await store.pool.query("SELECT password_hash FROM \(identifier: store.schema).users").single()
            .decode(at: 0, as: String.self)
        #expect(hash.hasPrefix("$2") && !hash.contains("horse"))
        #expect(try await store.authenticate(name: "RITA", password: "correct horse battery")?.roles == [.releaseManager])
        #expect(try await store.authenticate(name: "rita", password: "correct horse batterY") == nil)
        #expect(try await store.authenticate(name: "nobody", password: "correct horse battery") == nil)
        for weak in ["short", "twelve chars\u{0}pad", String(repeating: "x", count: 201)] {
            await #expect(throws: CommandError.self) { try await store.createUser(name: "weak", roles: [], password: weak, createdBy: "a") }
        }
        let duplicate = await #expect(throws: CommandError.self) { try await store.createUser(name: "RITA", roles: [], createdBy: "a") }
        #expect(duplicate?.rule == "users.unique")
        for hostile in ["", " padded", String(repeating: "n", count: 201), "nul\u{0}name"] {
            await #expect(throws: CommandError.self) { try await store.createUser(name: hostile, roles: [], createdBy: "a") }
        }
        await Self.drop(store)
    }

    @Test("bootstrap-admin makes one admin and a token, once, even when run twice at the same time")
    func bootstrapOnce() async throws {
        let store = try await Self.makeStore()
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 { group.addTask { (try? await store.bootstrapAdmin(name: "Admin")) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1 && outcomes.count == 2)
        let admins = try await store.pool.query(
            "SELECT count(*) FROM \(identifier: store.schema).users WHERE 'admin' = ANY(roles)").single().decode(at: 0, as: Int.self)
        #expect(admins == 1)
        let again = await #expect(throws: CommandError.self) { try await store.bootstrapAdmin(name: "other") }
        #expect(again?.rule == "users.bootstrap_done")
        await Self.drop(store)
    }

    @Test("token lifetimes and labels are bounded")
    func tokenBounds() async throws {
        let store = try await Self.makeStore()
        let user = try await store.createUser(name: "sam", roles: [.viewer], createdBy: "admin")
        for (label, lifetime) in [("ok", Duration.zero), ("ok", .seconds(367 * 86_400)), ("", .seconds(60)), ("bad\u{7}", .seconds(60))] {
            await #expect(throws: CommandError.self) { try await store.issueToken(for: user.id, label: label, lifetime: lifetime) }
        }
        await Self.drop(store)
    }

    @Test("the service role runs the identity store on the real gateway schema (migration 0011, privileges of 0006)")
    func asTheServiceRole() async throws {
        let store = try await Self.serviceRoleStore()
        let pool = store.pool
        let name = "svc-\(UUID().uuidString.prefix(8).lowercased())"
        let user = try await store.createUser(name: name, roles: [.tester], password: "a long enough password", createdBy: "test")
        let issued = try await store.issueToken(for: user.id, label: "ci", lifetime: .seconds(60))
        #expect(try await store.authenticate(token: issued.token.secret)?.name == name)
        #expect(try await store.authenticate(name: name, password: "a long enough password")?.roles == [.tester])
        #expect(try await store.revokeToken(issued.id))
        await pool.close()
    }
}
