import Contracts
import Foundation

/// What the broker (and the AMQP client) would refuse, checked when a row is enqueued, so
/// the business transaction fails with a clear error instead of leaving a row the relay can
/// never publish.
///
/// - Fields that travel as AMQP short strings (exchange, routing key, type, correlation id)
///   are at most 255 UTF-8 bytes; type, correlation id and actor follow `EnvelopeLimits` (the
///   one home of those rules, which envelope decoding enforces too).
/// - Headers are strings (the row's type guarantees it): names 1...128 bytes without control
///   characters, values without NUL (PostgreSQL cannot store it), each value and all headers
///   together bounded, so the properties fit in one AMQP frame.
/// - The body is at most `maxBodyBytes` (the AMQP client's maximum message size).
/// - A violation is a `CommandError(.validation, rule: "messages.limits")` whose `fields` name
///   each bad field and its rule, never the value.
public struct OutboxLimits: Sendable, Equatable {
    /// The largest body accepted (default 16 MiB, the AMQP client's default maximum message size).
    public var maxBodyBytes: Int
    /// The largest single header value.
    public var maxHeaderValueBytes: Int
    /// The largest total of header names and values.
    public var maxHeaderBytes: Int

    /// AMQP field-table names hold at most 128 bytes (what the AMQP client accepts).
    static let headerNameBytes = 128

    public init(maxBodyBytes: Int = 16 * 1024 * 1024, maxHeaderValueBytes: Int = 4096, maxHeaderBytes: Int = 16 * 1024) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderValueBytes = maxHeaderValueBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// The rule `messages.limits` that every violation names.
    public static let rule = "messages.limits"

    /// Throws a validation error naming every field of `row` that breaks a limit.
    public func validate(_ row: Outbox.Row) throws(CommandError) {
        let problems = violations(
            exchange: row.exchange, routingKey: row.routingKey, type: row.type, correlationId: row.correlationId,
            actor: row.actor, headers: row.headers, bodyBytes: row.body.count)
        guard problems.isEmpty else {
            throw CommandError(
                .validation, "a message this command would send breaks the message broker's limits",
                rule: Self.rule, fields: problems)
        }
    }

    /// Field name → the rule it breaks (empty when every limit holds). `actor` is nil for a
    /// stored row (the relay checks what it publishes; the actor is inside the body).
    func violations(
        exchange: String, routingKey: String, type: String, correlationId: String, actor: String?,
        headers: [String: String], bodyBytes: Int
    ) -> [String: String] {
        var problems: [String: String] = [:]
        let short = EnvelopeLimits.maxShortStringBytes
        if exchange.utf8.count > short { problems["exchange"] = "must be at most \(short) UTF-8 bytes" }
        if routingKey.utf8.count > short { problems["routingKey"] = "must be at most \(short) UTF-8 bytes" }
        problems["type"] = EnvelopeLimits.typeProblem(type)
        problems["correlationId"] = EnvelopeLimits.correlationIdProblem(correlationId)
        if let actor { problems["actor"] = EnvelopeLimits.actorProblem(actor) }
        var headerBytes = 0
        for (name, value) in headers {
            headerBytes += name.utf8.count + value.utf8.count
            if name.isEmpty || name.utf8.count > Self.headerNameBytes || EnvelopeLimits.containsControlCharacters(name) {
                problems["headers"] = "names must be 1 to \(Self.headerNameBytes) UTF-8 bytes without control characters"
            } else if value.utf8.count > maxHeaderValueBytes || value.utf8.contains(0) {
                problems["headers.\(name)"] = "must be at most \(maxHeaderValueBytes) UTF-8 bytes without NUL"
            }
        }
        if headerBytes > maxHeaderBytes && problems["headers"] == nil {
            problems["headers"] = "must be at most \(maxHeaderBytes) UTF-8 bytes together"
        }
        if bodyBytes > maxBodyBytes { problems["body"] = "must be at most \(maxBodyBytes) bytes" }
        return problems
    }
}
