import ServiceKit

/// The probe's own settings, read with the shared `ConfigurationReader` (so problems are
/// reported together with those of the shared settings).
struct ProbeSettings: Sendable {
    let schema: String
    let queue: String
    let routingKey: String
    let commandRoutingKey: String?
    let handlerDelay: Duration
    let concurrency: Int

    init(_ reader: ConfigurationReader) {
        schema = reader.required("PROBE_SCHEMA")
        queue = reader.required("PROBE_QUEUE")
        routingKey = reader.required("PROBE_ROUTING_KEY")
        commandRoutingKey = reader.optional("PROBE_COMMAND_ROUTING_KEY")
        handlerDelay = .milliseconds(reader.int("PROBE_HANDLER_DELAY_MS", default: 0, range: 0...600_000))
        concurrency = reader.int("PROBE_CONCURRENCY", default: 4, range: 1...64)
    }
}
