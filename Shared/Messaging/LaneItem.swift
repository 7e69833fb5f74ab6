import AMQP
import Contracts

/// A delivery in the consumer runner's hands, with what the runner knows about it: its
/// header (decoded once, on arrival, to find its lane), its lane and its attempt.
struct LaneItem: LaneScheduled {
    let delivery: AMQPDelivery
    /// The envelope header, or why the body is not an envelope.
    let header: Result<EnvelopeHeader, any Error>
    /// The correlation id. A request (it has a `replyTo`) and an undecodable message get a
    /// lane of their own: a request's sender waits for its reply before it sends what must
    /// come after it, so concurrent requests carry no order to keep (see `ConsumerRunner`).
    let lane: String
    /// Arrival order: a lane's items are handled in this order.
    let sequence: UInt64
    /// 1 for the first try; raised after each failure that is the message's own fault.
    var attempt: Int
    /// Handled on its own, never in a batch: a retry, or part of a batch that failed.
    var alone: Bool

    init(delivery: AMQPDelivery, sequence: UInt64) {
        self.delivery = delivery
        self.sequence = sequence
        let decoded = Result { try ContractCoding.decode(EnvelopeHeader.self, from: delivery.body) }
        self.header = decoded
        if delivery.properties.replyTo == nil, let header = try? decoded.get() {
            self.lane = header.correlationId
        } else {
            self.lane = "\u{0}alone \(sequence)"
        }
        // A message retried through an older delay queue carries its attempt count.
        self.attempt = max(1, Int(delivery.properties.headers[MessageHeaders.attempt]?.intValue ?? 1))
        self.alone = false
    }

    /// Events that decode and are on their first try may share a transaction with others;
    /// requests (answered one by one, and checked against their deadline), retries and
    /// anything malformed go alone.
    var batchable: Bool {
        guard !alone, attempt == 1, delivery.properties.replyTo == nil, case .success(let header) = header,
              header.deadline == nil
        else { return false }
        return true
    }
}
