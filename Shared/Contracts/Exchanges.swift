/// Exchange names (ARCHITECTURE.md, Messaging).
public enum Exchanges {
    /// Topic exchange for commands; routing key `<service>.<command>`.
    public static let commands = "shipboard.commands"
    /// Topic exchange for events; routing key `<aggregate>.<event>`.
    public static let events = "shipboard.events"
    /// Direct exchange feeding the delay queues that send failed messages back for a retry.
    public static let retry = "shipboard.retry"
    /// Direct exchange for dead letters; routing key = the work queue's name.
    public static let dead = "shipboard.dead"
}

/// Names of the services, as used in routing keys, queue names and schemas. Not a
/// ``ContractEnum``: it names topology, and no message carries it.
public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case planning, build, testing, rollout, notify, gateway
}

/// AMQP header names Shipboard sets.
public enum MessageHeaders {
    /// W3C trace context.
    public static let traceparent = "traceparent"
    /// How many times a consumer has tried to handle this message.
    public static let attempt = "x-shipboard-attempt"
    /// Why a message was dead-lettered.
    public static let error = "x-shipboard-error"
    /// The queue a dead-lettered or retried message came from.
    public static let sourceQueue = "x-shipboard-queue"
}
