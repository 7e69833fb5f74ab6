extension ServiceConfiguration {
    /// The shared variables, one row each, in the order of the table on ``ServiceConfiguration``.
    public static let documentation: [ConfigurationVariable] = [
        .init(
            "SHIPBOARD_DATABASE_URL", default: nil, "PostgreSQL URL, `postgres://user:password@host:port/database`",
            secret: true),
        .init("SHIPBOARD_AMQP_URL", default: nil, "RabbitMQ URL, `amqp://user:password@host:port/vhost`", secret: true),
        .init(
            "SHIPBOARD_HTTP_HOST", default: "127.0.0.1",
            "address the health and metrics endpoint listens on (`0.0.0.0` in containers)"),
        .init("SHIPBOARD_HTTP_PORT", default: "per service", "port of the health and metrics endpoint (0 = any free port)"),
        .init("SHIPBOARD_LOG_FORMAT", default: "plain", "`plain` or `json` (one JSON object per line)"),
        .init(
            "SHIPBOARD_LOG_LEVEL", default: "info",
            "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`"),
        .init(
            "SHIPBOARD_SHUTDOWN_TIMEOUT", default: "10s",
            "how long graceful shutdown may take before tasks are cancelled (`500ms`, `10s`, `1m`)"),
    ]
}
