import Contracts
import Foundation
import NotificationCore
import Postgres
import ShipboardTestSupport

/// People, a release and its sites written into the real `gateway` and `planning` tables of the
/// test database, as those services would have: every name and key unique to one test, so
/// tests run side by side on the shared schemas.
struct NotifyTestData: Sendable {
    let tag = String(UUID().uuidString.filter(\.isLetter).prefix(6)).lowercased()
    let releaseKey = "REL-7\(Int.random(in: 1_000_000...9_999_999))"
    var requester: String { "req-\(tag)" }
    var coordinator: String { "coord-\(tag)" }
    var approver: String { "appr-\(tag)" }
    var siteContact: String { "site-\(tag)" }
    var outsider: String { "out-\(tag)" }
    var approverGroup: String { "cab-\(tag)" }
    var site: String { "fra-\(tag)" }
    var everyone: [String] { [requester, coordinator, approver, siteContact, outsider] }
    /// notify's tables of this test only (the directory and the release stay in the shared
    /// gateway and planning tables): no other test's dispatcher ever sees these deliveries.
    var schema: String { "nt_\(tag)" }
    var schemas: NotifySchemas { NotifySchemas(notify: schema) }
    var intake: EventIntake { EventIntake(schemas: schemas, links: NotificationLinks(baseURL: "https://shipboard.example")) }

    static func pool() async throws -> PostgresPool {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        return PostgresPool(configuration: configuration, maxConnections: 4)
    }

    /// Everyone with an email address (the outsider also with a webhook), the release (requester,
    /// coordinator, a gate of the approver group at its phase, one server at `site`), the
    /// approver in the group and the site contact for the site.
    func insert(into pool: PostgresPool, start: Date? = nil, webhook: String? = nil) async throws {
        try await pool.query("SELECT public.shipboard_create_notify_schema(\(schema))")
        try await pool.withTransaction { transaction in
            for name in everyone {
                let id = try await transaction.query(
                    """
                    INSERT INTO gateway.users (name, display_name, roles, created_by)
                    VALUES (\(name), \(name.uppercased()), ARRAY['viewer'], 'test') RETURNING id
                    """).single().decode(UUID.self)
                try await transaction.query(
                    "INSERT INTO gateway.contact_points (user_id, channel, address) VALUES (\(id), 'email', \(name + "@example.com"))")
                if name == outsider, let webhook {
                    try await transaction.query(
                        "INSERT INTO gateway.contact_points (user_id, channel, address) VALUES (\(id), 'webhook', \(webhook))")
                }
            }
            let server = "CI-N\(tag.uppercased().prefix(6))-0001"
            try await transaction.query(
                "INSERT INTO planning.configuration_items (key, name, class, site) VALUES (\(server), \(server), 'server', \(site))")
            let state = #"{"gates": {"plan": {"approverGroup": "\#(approverGroup)", "requiredApprovals": 1}}, "approvals": []}"#
            try await transaction.query(
                """
                INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status,
                                               scheduled_start, state)
                VALUES (\(releaseKey), \("Payroll " + tag), 'minor', 'medium', 'medium', 'moderate', \(requester), \(coordinator), 'plan',
                        'pending_approval', \(start), \(state)::jsonb)
                """)
            try await transaction.query(
                """
                INSERT INTO planning.release_changes (release_key, external_id, title, status, risk, affected_cis, added_by)
                VALUES (\(releaseKey), 'CHG-1', 'the change', 'approved', 'low', \(bind: PostgresArrayBind.texts([server])), \(requester))
                """)
            try await transaction.query(
                "INSERT INTO planning.approver_group_members (group_name, member, added_by) VALUES (\(approverGroup), \(approver), 'test')")
            try await transaction.query(
                "INSERT INTO \(identifier: schema).site_contacts (site, member, added_by) VALUES (\(site), \(siteContact), 'test')")
        }
    }

    /// Drops this test's notify tables and closes the pool.
    func drop(_ pool: PostgresPool) async {
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }

    /// Runs the intake on `envelope` in one transaction, as the consumer would.
    func handle(_ envelope: Envelope<JSONValue>, _ pool: PostgresPool) async throws {
        try await pool.withTransaction { try await intake.handle(envelope, $0) }
    }

    /// An event of this release as its service would publish it.
    func envelope<Event: EventContract>(_ event: Event, actor: String) throws -> Envelope<JSONValue> {
        let data = try ContractCoding.encode(Envelope(event, correlationId: releaseKey, actor: actor))
        return try ContractCoding.decode(Envelope<JSONValue>.self, from: data)
    }

    /// (recipient, channel, event type, state) of every delivery of this release.
    func deliveries(in pool: PostgresPool) async throws -> [(recipient: String, channel: String, type: String, state: String)] {
        try await pool.query(
            """
            SELECT recipient, channel, event_type, state FROM \(identifier: schema).deliveries WHERE release_key = \(releaseKey)
            ORDER BY recipient, channel, event_type
            """
        ).map { try $0.decode((String, String, String, String).self) }
    }
}
