import CRabbitMQ

/// Owns one rabbitmq-c connection state (and through it the socket).
///
/// Not Sendable on purpose: it is created and used only inside one `AMQPConnection`
/// actor, whose executor runs every call on a single serial queue. `deinit` frees the
/// state even when connecting failed half-way.
final class RabbitConnectionHandle {
    let state: amqp_connection_state_t

    init() throws(AMQPError) {
        guard let state = amqp_new_connection() else {
            throw AMQPError.connectionFailed(status: -1, reason: "out of memory creating a connection")
        }
        self.state = state
    }

    deinit {
        amqp_destroy_connection(state)
    }
}
