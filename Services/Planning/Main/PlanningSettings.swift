import Foundation
import PlanningCore
import ServiceKit

/// shipboard-planning's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the numbered SQL files applied at start-up |
/// | `SHIPBOARD_AUDIT_KEYS` | required | the audit trail's HMAC keys, `id:hex[,id:hex…]`, the first signs (secret; see `AuditKeyring`) |
/// | `SHIPBOARD_AUDIT_VERIFY_INTERVAL` | `600s` | how often every audit chain is verified |
/// | `SHIPBOARD_PRIORITY_MATRIX` | the ITIL matrix (`PriorityMatrix.standard`) | impact × urgency → priority as JSON, every cell given, e.g. `{"high":{"high":"critical","medium":"high","low":"medium"},…}` |
///
/// The service connects with `SHIPBOARD_DATABASE_URL`, normally as `shipboard_service`, a role
/// that owns nothing and cannot create tables. It never gets the owner's URL: migrations run
/// before it starts (`shipboard-migrate`, as the owner), and at start-up it only checks, as its
/// own role, that none is pending.
struct PlanningSettings: Sendable {
    /// The variables below, for `--help`.
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the migrations that must have been applied"),
        .init(AuditKeyring.variable, default: nil, "audit trail HMAC keys, id:hex[,id:hex…]; the first signs", secret: true),
        .init("SHIPBOARD_AUDIT_VERIFY_INTERVAL", default: "600s", "how often every audit chain is verified"),
        .init("SHIPBOARD_PRIORITY_MATRIX", default: "the ITIL matrix", "impact × urgency → priority as JSON, every cell given"),
    ]

    /// `SHIPBOARD_MIGRATIONS_DIR`.
    let migrationsDirectory: String
    /// `SHIPBOARD_AUDIT_KEYS`; secret: never logged or put in errors.
    let auditKeys: AuditKeyring
    /// `SHIPBOARD_AUDIT_VERIFY_INTERVAL`.
    let auditVerifyInterval: Duration
    /// `SHIPBOARD_PRIORITY_MATRIX`, or the standard matrix.
    let priorityMatrix: PriorityMatrix

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        auditKeys = Self.auditKeys(reader)
        auditVerifyInterval = reader.duration(
            "SHIPBOARD_AUDIT_VERIFY_INTERVAL", default: .seconds(600), range: .seconds(1)...Duration.seconds(86_400))
        priorityMatrix = Self.matrix(reader)
    }

    /// The configured keys; a missing or malformed value is a configuration problem (the
    /// message names the problem, never a key), and the service refuses to start.
    private static func auditKeys(_ reader: ConfigurationReader) -> AuditKeyring {
        let text = reader.required(AuditKeyring.variable, secret: true)
        guard !text.isEmpty else { return .random() }  // the problem is recorded; the service will not start
        do {
            return try AuditKeyring(parsing: text)
        } catch {
            reader.recordProblem(AuditKeyring.variable, error.problem)
            return .random()
        }
    }

    /// The configured matrix; a malformed or incomplete one is a configuration problem that
    /// names every bad cell (the service then refuses to start).
    private static func matrix(_ reader: ConfigurationReader) -> PriorityMatrix {
        let name = "SHIPBOARD_PRIORITY_MATRIX"
        guard let text = reader.optional(name) else { return .standard }
        guard let table = try? JSONDecoder().decode([String: [String: String]].self, from: Data(text.utf8)) else {
            reader.recordProblem(name, "is not a JSON object of impact → {urgency → priority}")
            return .standard
        }
        do {
            return try PriorityMatrix(configuration: table)
        } catch {
            reader.recordProblem(name, error.message)
            return .standard
        }
    }
}
