import AMQP
import Contracts
import Foundation
import Logging
import Postgres

extension ConsumerRunner {
    /// Handles one message to the end, or says why it must wait (see `Disposition`).
    func process(_ item: LaneItem) async -> Disposition {
        let delivery = item.delivery
        // Its connection or channel has gone since it arrived: the broker has requeued it and
        // will deliver it again; handling this copy would only race the redelivery.
        guard await delivery.isLive else {
            outcomes("stale").increment()
            return .done
        }
        let header: EnvelopeHeader
        switch item.header {
        case .success(let decoded):
            header = decoded
        case .failure(let error):
            await rejectMalformed(
                delivery, reason: "undecodable envelope: \(Self.describe(error))",
                refusal: Self.malformedRefusal(error, messageType: delivery.properties.type), attempt: item.attempt)
            return .done
        }
        let prepared: MessageHandlers.Prepared
        do {
            guard let found = try handlers.prepare(header, body: delivery.body) else {
                await rejectMalformed(
                    delivery, reason: "no handler for \(header.type) version \(header.version)",
                    refusal: CommandError(
                        .validation, "\(header.type) version \(header.version) is not a command this service knows",
                        rule: "messages.unknown_type"),
                    attempt: item.attempt)
                return .done
            }
            prepared = found
        } catch {
            await rejectMalformed(
                delivery, reason: "payload does not match \(header.type) v\(header.version): \(Self.describe(error))",
                refusal: Self.malformedRefusal(error, messageType: header.type), attempt: item.attempt)
            return .done
        }
        var messageLogger = self.logger
        messageLogger[metadataKey: "message.id"] = "\(header.id)"
        messageLogger[metadataKey: "release.key"] = "\(header.correlationId)"
        // A well-formed traceparent only: the header is the sender's text.
        if case .string(let text)? = delivery.properties.headers[TraceParent.header], let trace = TraceParent(text) {
            messageLogger[metadataKey: "trace.parent"] = "\(trace)"
        }
        let logger = messageLogger
        let context: @Sendable (PostgresTransaction) -> HandlerContext = { transaction in
            HandlerContext(
                transaction: transaction, outbox: outbox, header: header, attempt: item.attempt,
                redelivered: delivery.redelivered, logger: logger)
        }
        do {
            let reply: Data?
            if let deadline = header.deadline, deadline < Date() {
                reply = try await answerExpired(header)
            } else {
                reply = try await handleResolvingConflicts(header.id, prepared: prepared, context: context)
            }
            logger.debug("handled", metadata: ["message.type": "\(header.type)"])
            if let reply, let replyTo = delivery.properties.replyTo {
                await sendReply(reply, to: replyTo, correlationID: delivery.properties.correlationID, logger: logger)
            }
            await settle(delivery, logger: logger) { try await delivery.ack() }
            return .done
        } catch {
            return await failed(item, error: error, logger: logger)
        }
    }

    /// Runs the handler; a serialization failure or deadlock reruns it at once (jittered),
    /// up to `retry.conflictRetries` times, without counting an attempt.
    private func handleResolvingConflicts(
        _ id: UUID, prepared: MessageHandlers.Prepared, context: @escaping @Sendable (PostgresTransaction) -> HandlerContext
    ) async throws -> Data? {
        var conflicts = 0
        while true {
            do {
                return try await handle(id, prepared: prepared, context: context)
            } catch where conflicts < retry.conflictRetries && HandlingFailure(error) == .conflict {
                conflicts += 1
                outcomes("conflict").increment()
                try await Task.sleep(for: RetryPolicy.conflictPause(conflicts))
            }
        }
    }

    /// Runs the handler in the inbox transaction. Returns the reply to send, if any.
    private func handle(
        _ id: UUID, prepared: MessageHandlers.Prepared, context: @escaping @Sendable (PostgresTransaction) -> HandlerContext
    ) async throws -> Data? {
        do {
            // The claim travels with the handler's first statement; a repeat is found there.
            let reply = try await pool.withTransaction { transaction -> Data? in
                try await inbox.claimQueued(id, in: transaction)
                let reply = try await prepared(context(transaction))
                if let reply { try await inbox.storeReply(reply, for: id, in: transaction) }
                return reply
            }
            outcomes("handled").increment()
            return reply
        } catch where Inbox.isAlreadyClaimed(error) {
            let stored = try await pool.withTransaction { try await inbox.storedReply(for: id, in: $0) }
            outcomes("duplicate").increment()
            return stored
        } catch {
            guard let refusal = Self.commandError(in: error) else { throw error }
            return try await recordRefusal(refusal, for: id, outcome: "refused")
        }
    }

    /// A request whose sender has given up is not executed: it is answered with a `timeout`
    /// refusal, recorded in the inbox like any answer (a repeat of a request handled in time
    /// gets its stored reply instead).
    private func answerExpired(_ header: EnvelopeHeader) async throws -> Data? {
        let refusal = try ContractCoding.encode(CommandRefusal(error: CommandError(
            .timeout, "\(header.type) arrived after its deadline and was not executed", rule: "messages.deadline")))
        let (reply, fresh) = try await pool.withTransaction { transaction -> (Data?, Bool) in
            guard try await inbox.claim(header.id, in: transaction) else {
                return (try await inbox.storedReply(for: header.id, in: transaction), false)
            }
            try await inbox.storeReply(refusal, for: header.id, in: transaction)
            return (refusal, true)
        }
        outcomes(fresh ? "expired" : "duplicate").increment()
        return reply
    }

    /// Records `refusal` as the message's reply (so a repeat gets it too) and returns it.
    /// The handler's writes, if any, rolled back. A message handled before (a refusal found
    /// before the handler's first statement carried the claim) gets its stored reply instead.
    func recordRefusal(_ refusal: CommandError, for id: UUID, outcome: String) async throws -> Data {
        let reply = try ContractCoding.encode(CommandRefusal(error: refusal))
        let stored = try await pool.withTransaction { transaction -> Data? in
            guard try await inbox.claim(id, in: transaction) else {
                return try await inbox.storedReply(for: id, in: transaction)
            }
            try await inbox.storeReply(reply, for: id, in: transaction)
            return nil
        }
        outcomes(stored == nil ? outcome : "duplicate").increment()
        return stored ?? reply
    }
}
