import NotificationCore
import ServiceKit

/// shipboard-gateway's settings for images and the DML, besides the shared
/// ``ServiceConfiguration`` and the command timeout and event loops (``GatewayMain``).
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_UPLOAD_ROOT` | `.run/import/uploads` | where artifact uploads are written: the `uploads` folder of shipboard-build's import root |
/// | `SHIPBOARD_UPLOAD_LIMIT_MB` | `2048` | the largest upload, in MiB |
/// | `SHIPBOARD_DML_URL` | `http://127.0.0.1:8093` | shipboard-testing's DML download server |
/// | `SHIPBOARD_DML_TOKEN` | none | the bearer token of the DML download server (secret); without it, downloads answer 503 |
/// | `SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS` | `false` | whether a webhook or chat contact point may target a loopback address (as shipboard-notify's setting) |
/// | `SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS` | `false` | the same for link-local addresses |
struct GatewaySettings: Sendable {
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_UPLOAD_ROOT", default: ".run/import/uploads",
              "where artifact uploads are written: the uploads folder of shipboard-build's import root"),
        .init("SHIPBOARD_UPLOAD_LIMIT_MB", default: "2048", "the largest artifact upload, in MiB (1 to 1048576)"),
        .init("SHIPBOARD_DML_URL", default: "http://127.0.0.1:8093", "shipboard-testing's DML download server"),
        .init("SHIPBOARD_DML_TOKEN", default: "none", "the DML download server's bearer token; without it downloads answer 503",
              secret: true),
        .init("SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS", default: "false",
              "whether a webhook or chat contact point may target a loopback address (set as for shipboard-notify)"),
        .init("SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS", default: "false",
              "whether a webhook or chat contact point may target a link-local address (set as for shipboard-notify)"),
    ]

    let uploadRoot: String
    let uploadLimit: Int64
    let dmlURL: String
    /// Secret: never logged or put in errors.
    let dmlToken: String?
    /// Which webhook and chat addresses a contact point may hold: the rule shipboard-notify sends by.
    let outboundURLs: OutboundURLPolicy

    init(reader: ConfigurationReader) {
        uploadRoot = reader.string("SHIPBOARD_UPLOAD_ROOT", default: ".run/import/uploads")
        uploadLimit = Int64(reader.int("SHIPBOARD_UPLOAD_LIMIT_MB", default: 2048, range: 1...1_048_576)) << 20
        let url = reader.optionalURL("SHIPBOARD_DML_URL", schemes: ["http", "https"]) ?? "http://127.0.0.1:8093"
        dmlURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        dmlToken = reader.optional("SHIPBOARD_DML_TOKEN")
        outboundURLs = OutboundURLPolicy(
            allowLoopback: reader.bool("SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS", default: false),
            allowLinkLocal: reader.bool("SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS", default: false))
    }
}
