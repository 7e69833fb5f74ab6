import PlanningCore
import ShipboardTestSupport

/// The audit keys the tests sign with: `SHIPBOARD_AUDIT_KEYS` of `.run/env`, else a random
/// key; a planning service a test starts as a process gets the same `text`.
enum TestAuditKeys {
    static let text: String = (try? TestSettings.value(AuditKeyring.variable)) ?? "k1:\(AuditKeyring.randomHex())"
    static let keyring: AuditKeyring = try! AuditKeyring(parsing: text)
}
