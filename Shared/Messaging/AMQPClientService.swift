import AMQP
import ServiceLifecycle

/// Runs an `AMQPClient` as a service: it keeps the connection up until graceful shutdown.
/// Put it first in the service group, so it stops last (after the consumers and relays
/// that publish and ack through it).
public struct AMQPClientService: Service {
    public let client: AMQPClient

    public init(client: AMQPClient) {
        self.client = client
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await client.run()
        }
    }
}
