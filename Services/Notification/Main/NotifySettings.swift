import Foundation
import NotificationCore
import ServiceKit

/// shipboard-notify's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the migrations that must have been applied |
/// | `SHIPBOARD_NOTIFY_BASE_URL` | `http://127.0.0.1:8080` | the gateway's public address, for links in messages |
/// | `SHIPBOARD_NOTIFY_SMTP_URL` | `smtp://127.0.0.1:25` | the SMTP server (`smtp://` or `smtps://`) |
/// | `SHIPBOARD_NOTIFY_SMTP_FROM` | `shipboard@localhost` | the sender address |
/// | `SHIPBOARD_NOTIFY_SMTP_STARTTLS` | `optional` | `off`, `optional` or `required` |
/// | `SHIPBOARD_NOTIFY_SMTP_USERNAME`, `_SMTP_PASSWORD` | none | SMTP authentication (the password is secret) |
/// | `SHIPBOARD_NOTIFY_SMTP_CA_FILE` | system CAs | PEM certificates to trust for the SMTP server |
/// | `SHIPBOARD_NOTIFY_WEBHOOK_SECRET` | required | the HMAC key of `X-Shipboard-Signature` (secret) |
/// | `SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS` | `10` | the longest one send may take |
/// | `SHIPBOARD_NOTIFY_CONCURRENCY` | `64` | sends at once on this replica |
/// | `SHIPBOARD_NOTIFY_ENDPOINT_CONCURRENCY` | `8` | sends at once to one endpoint (a webhook host, the SMTP server), 1–64 |
/// | `SHIPBOARD_NOTIFY_MAX_ATTEMPTS` | `6` | attempts before a delivery is recorded failed |
/// | `SHIPBOARD_NOTIFY_RETRY_BASE_MS` | `5000` | the first retry's delay (doubling, with jitter, at most 30 min) |
/// | `SHIPBOARD_NOTIFY_DIGEST_HOUR` | `8` | the hour (UTC) daily digests go out |
/// | `SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS` | `false` | allow webhooks to loopback addresses (local demos, tests) |
/// | `SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS` | `false` | allow webhooks to link-local addresses |
struct NotifySettings: Sendable {
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the migrations that must have been applied"),
        .init("SHIPBOARD_NOTIFY_BASE_URL", default: "http://127.0.0.1:8080", "the gateway's public address, for links in messages"),
        .init("SHIPBOARD_NOTIFY_SMTP_URL", default: "smtp://127.0.0.1:25", "the SMTP server (smtp:// or smtps://)"),
        .init("SHIPBOARD_NOTIFY_SMTP_FROM", default: "shipboard@localhost", "the sender address"),
        .init("SHIPBOARD_NOTIFY_SMTP_STARTTLS", default: "optional", "off, optional or required"),
        .init("SHIPBOARD_NOTIFY_SMTP_USERNAME", default: nil, "SMTP user name (with the password)"),
        .init("SHIPBOARD_NOTIFY_SMTP_PASSWORD", default: nil, "SMTP password", secret: true),
        .init("SHIPBOARD_NOTIFY_SMTP_CA_FILE", default: nil, "PEM certificates to trust for the SMTP server"),
        .init("SHIPBOARD_NOTIFY_WEBHOOK_SECRET", default: nil, "the HMAC key webhooks are signed with", secret: true),
        .init("SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS", default: "10", "the longest one send may take"),
        .init("SHIPBOARD_NOTIFY_CONCURRENCY", default: "64", "sends at once on this replica"),
        .init("SHIPBOARD_NOTIFY_ENDPOINT_CONCURRENCY", default: "8", "sends at once to one endpoint (1-64)"),
        .init("SHIPBOARD_NOTIFY_MAX_ATTEMPTS", default: "6", "attempts before a delivery is recorded failed"),
        .init("SHIPBOARD_NOTIFY_RETRY_BASE_MS", default: "5000", "the first retry's delay in milliseconds"),
        .init("SHIPBOARD_NOTIFY_DIGEST_HOUR", default: "8", "the hour (UTC) daily digests go out"),
        .init("SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS", default: "false", "allow webhooks to loopback addresses"),
        .init("SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS", default: "false", "allow webhooks to link-local addresses"),
    ]

    let migrationsDirectory: String
    let baseURL: String
    let smtp: SMTPSettings?
    /// Holds the secret: never logged or put in errors. Nil (a refused secret) stops the
    /// service at start-up, with the reason.
    let webhookSigner: WebhookSigner?
    let timeout: Duration
    let policy: OutboundURLPolicy
    let dispatcher: DeliveryDispatcher.Settings
    let digestHour: Int

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        baseURL = reader.string("SHIPBOARD_NOTIFY_BASE_URL", default: "http://127.0.0.1:8080")
        timeout = .seconds(reader.int("SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS", default: 10, range: 1...300))
        let startTLS = reader.oneOf("SHIPBOARD_NOTIFY_SMTP_STARTTLS", default: SMTPSettings.StartTLS.optional)
        do {
            smtp = try SMTPSettings(
                url: reader.string("SHIPBOARD_NOTIFY_SMTP_URL", default: "smtp://127.0.0.1:25"),
                from: reader.string("SHIPBOARD_NOTIFY_SMTP_FROM", default: "shipboard@localhost"), startTLS: startTLS,
                username: reader.optional("SHIPBOARD_NOTIFY_SMTP_USERNAME"), password: reader.optional("SHIPBOARD_NOTIFY_SMTP_PASSWORD"),
                caFile: reader.optional("SHIPBOARD_NOTIFY_SMTP_CA_FILE"), timeout: timeout)
        } catch {
            reader.recordProblem("SHIPBOARD_NOTIFY_SMTP_URL", error.description)
            smtp = nil
        }
        let webhookSecret = reader.required("SHIPBOARD_NOTIFY_WEBHOOK_SECRET", secret: true)
        webhookSigner = try? WebhookSigner(secret: webhookSecret)
        if !webhookSecret.isEmpty, webhookSigner == nil {
            reader.recordProblem("SHIPBOARD_NOTIFY_WEBHOOK_SECRET", "is too weak: use at least 16 random characters (e.g. openssl rand -hex 32)")
        }
        policy = OutboundURLPolicy(
            allowLoopback: reader.bool("SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS", default: false),
            allowLinkLocal: reader.bool("SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS", default: false))
        dispatcher = DeliveryDispatcher.Settings(
            concurrency: reader.int("SHIPBOARD_NOTIFY_CONCURRENCY", default: 64, range: 1...1024),
            // At most BlockingThreads.smtp's 64 threads: an SMTP send never waits for a thread.
            endpointLimit: reader.int("SHIPBOARD_NOTIFY_ENDPOINT_CONCURRENCY", default: 8, range: 1...64),
            // Longer than any send: a live send's row is never taken by another replica.
            lease: timeout * 3 + .seconds(5),
            retry: DeliveryRetryPolicy(
                maxAttempts: reader.int("SHIPBOARD_NOTIFY_MAX_ATTEMPTS", default: 6, range: 1...50),
                baseDelay: .milliseconds(reader.int("SHIPBOARD_NOTIFY_RETRY_BASE_MS", default: 5000, range: 10...3_600_000))))
        digestHour = reader.int("SHIPBOARD_NOTIFY_DIGEST_HOUR", default: 8, range: 0...23)
    }
}
