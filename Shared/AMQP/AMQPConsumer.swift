import Foundation

/// A consumer created by `AMQPClient.consume`: an async sequence of deliveries that lasts
/// across reconnects until cancelled.
///
/// - Deliveries of a lost connection still in the buffer are dropped (the broker redelivers
///   them); one already taken reports `isLive == false`.
/// - When the reader goes away (every copy of the consumer and its iterators is dropped, or
///   the task waiting for the next delivery is cancelled) the consumer is cancelled and what
///   it still buffers goes back to the queue.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    public let id: UUID
    let deliveries: AMQPDeliveries
    let client: AMQPClient

    public func makeAsyncIterator() -> AMQPDeliveries.Iterator {
        deliveries.makeAsyncIterator()
    }

    /// Stops consuming; the sequence ends after the deliveries already received.
    public func cancel() async {
        await client.cancel(consumer: id)
    }

    /// Stops the broker sending more (basic.cancel) without ending the sequence; deliveries
    /// already received can still be settled. Also holds across reconnects.
    public func pause() async {
        await client.pause(consumer: id)
    }

    /// Subscribes again after `pause` (at once if connected, else on reconnect).
    public func resume() async {
        await client.resume(consumer: id)
    }
}
