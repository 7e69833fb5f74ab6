import Foundation
import Logging

extension AMQPClient {
    /// Keeps the `role` connection open until cancelled: connect, declare the topology, set
    /// up the role's consumers, run the frame loop; after a failure back off and start over.
    func maintain(_ role: Role) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let connection = try await open(role)
                attempt = 0
                eventContinuation.yield(.connected)
                logger.info("amqp connected", metadata: ["amqp.server": "\(configuration)", "amqp.role": "\(role.rawValue)"])
                do {
                    try await connection.run()
                    await connection.close()  // cancelled: shut down politely
                } catch {
                    eventContinuation.yield(.connectionLost("\(role.rawValue): \(error.description)"))
                    logger.warning("amqp connection lost; reconnecting", metadata: [
                        "amqp.reason": "\(error)", "amqp.role": "\(role.rawValue)",
                    ])
                }
                connectionEnded(connection, role: role)
            } catch {
                eventContinuation.yield(.reconnectFailed("\(role.rawValue): \(error)"))
                logConnectFailure(error, role: role, attempt: attempt)
            }
            if Task.isCancelled { break }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            try? await Task.sleep(for: delay)
        }
        switch role {
        case .publishing: publishing = nil
        case .consuming: consuming = nil
        }
    }

    /// Connects, declares and subscribes; the connection becomes current only when all that worked.
    private func open(_ role: Role) async throws(AMQPError) -> AMQPConnection {
        var configuration = configuration
        configuration.connectionName += role == .publishing ? " (publish)" : " (consume)"
        var onBlockedChange: (@Sendable (String?) -> Void)?
        if role == .publishing {
            let events = eventContinuation
            onBlockedChange = { reason in
                if let reason { events.yield(.blocked(reason)) } else { events.yield(.unblocked) }
            }
        }
        let connection = try await AMQPConnection.connect(configuration, logger: logger, onBlockedChange: onBlockedChange)
        do {
            try await connection.declare(topology)
            switch role {
            case .publishing:
                if let directReplies { try await connection.enableDirectReplies(directReplies) }
                publishing = connection
            case .consuming:
                // Under the consumer lock, so no subscribe, pause or resume slips in between.
                await lockConsumerOperations()
                defer { unlockConsumerOperations() }
                try await resubscribe(on: connection)
                consuming = connection
            }
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// The connection ended: deliveries it brought that are still buffered are dropped (the
    /// broker redelivers them); consumers are subscribed again on the next connection.
    private func connectionEnded(_ connection: AMQPConnection, role: Role) {
        switch role {
        case .publishing:
            if publishing === connection { publishing = nil }
        case .consuming:
            if consuming === connection { consuming = nil }
            for (id, registration) in consumers {
                registration.deliveries.purge(deliveredBy: connection)
                if registration.connection === connection {
                    consumers[id]?.connection = nil
                    consumers[id]?.tag = nil
                    consumers[id]?.channel = nil
                }
            }
        }
    }

    /// Every attempt is logged, but only the first and every tenth loudly: an outage is one
    /// story. A permanent refusal is an error, with what to do about it.
    private func logConnectFailure(_ error: AMQPError, role: Role, attempt: Int) {
        let loud = attempt % 10 == 0
        if error.isPermanent {
            logger.log(level: loud ? .error : .debug, "amqp refused permanently; retrying until fixed", metadata: [
                "amqp.reason": "\(error)", "amqp.advice": "\(error.operatorAdvice ?? "see the reason")",
                "amqp.role": "\(role.rawValue)", "amqp.attempt": "\(attempt)",
            ])
        } else {
            logger.log(level: loud ? .warning : .debug, "amqp connect failed; retrying", metadata: [
                "amqp.reason": "\(error)", "amqp.role": "\(role.rawValue)", "amqp.attempt": "\(attempt)",
            ])
        }
    }
}
