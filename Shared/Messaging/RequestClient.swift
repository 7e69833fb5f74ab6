import AMQP
import Contracts
import Foundation
import Logging

/// Sends commands and waits for their replies over RabbitMQ direct reply-to.
///
/// Every request has a timeout: the caller gets the typed `CommandError` from the handler,
/// `.timeout` when no reply came in time (the service may be down), or `.unavailable` when
/// the broker could not take the request. It never waits forever.
public actor RequestClient {
    let amqp: AMQPClient
    let logger: Logger
    private var pending: [String: CheckedContinuation<Data, any Error>] = [:]
    private var listening: Task<Void, Never>?

    /// The exchange commands are published to.
    private let exchange: String

    /// `exchange` is `shipboard.commands` in production; tests and benchmarks pass one of
    /// their own so that their consumers never answer each other's commands.
    public init(amqp: AMQPClient, exchange: String = Exchanges.commands, logger: Logger = Logger(label: "shipboard.requests")) {
        self.amqp = amqp
        self.exchange = exchange
        self.logger = logger
    }

    /// Sends `envelope` to its service and returns the result, or throws the typed error.
    public func send<Command: CommandContract>(
        _ envelope: Envelope<Command>, timeout: Duration = .seconds(10)
    ) async throws(CommandError) -> Command.Result {
        let started = ContinuousClock.now
        do {
            try await startListening()
        } catch {
            throw CommandError(.unavailable, "the message broker is not available")
        }
        let requestID = UUID().uuidString
        let body: Data
        do {
            body = try ContractCoding.encode(envelope)
        } catch {
            throw CommandError(.validation, "the command cannot be encoded")
        }
        let message = AMQPMessage(
            exchange: exchange, routingKey: Command.routingKey, body: body,
            properties: AMQPProperties(
                messageID: envelope.id.uuidString.lowercased(), correlationID: requestID, type: Command.messageType,
                replyTo: AMQPConnection.directReplyQueue, timestamp: envelope.occurredAt),
            mandatory: true)
        let remaining = timeout - (ContinuousClock.now - started)
        let replyData: Data
        do {
            replyData = try await withCheckedThrowingContinuation { continuation in
                pending[requestID] = continuation
                Task {
                    do {
                        try await amqp.publish(message, timeout: remaining)
                    } catch {
                        self.fail(requestID, with: CommandError(.unavailable, "the request could not be sent: \(error)"))
                        return
                    }
                    try? await Task.sleep(for: max(.zero, timeout - (ContinuousClock.now - started)))
                    self.fail(requestID, with: CommandError(
                        .timeout, "no reply to \(Command.messageType) within \(timeout)"))
                }
            }
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.internal, "request failed")
        }
        do {
            return try ContractCoding.decode(CommandReply<Command.Result>.self, from: replyData).get()
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.internal, "the reply to \(Command.messageType) is malformed")
        }
    }

    private func fail(_ requestID: String, with error: CommandError) {
        pending.removeValue(forKey: requestID)?.resume(throwing: error)
    }

    private func complete(_ requestID: String, with data: Data) {
        pending.removeValue(forKey: requestID)?.resume(returning: data)
    }

    private func startListening() async throws {
        guard listening == nil else { return }
        let replies = try await amqp.directReplies()
        listening = Task {
            do {
                for try await reply in replies {
                    guard let id = reply.properties.correlationID else { continue }
                    self.complete(id, with: reply.body)
                }
            } catch {
                logger.warning("reply stream ended", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Stops listening; pending requests fail as unavailable.
    public func close() {
        listening?.cancel()
        for (id, _) in pending { fail(id, with: CommandError(.unavailable, "the request client closed")) }
    }
}
