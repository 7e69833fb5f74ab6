import AMQP
import Contracts
import Foundation
import Messaging
import Synchronization

/// A stand-in for shipboard-rollout's command queue on the test broker: answers the
/// `rollout.control` commands of the given actors (as the service would: the rollout's new
/// state) and records each one, so a test asserts what the gateway sent and as whom.
/// Commands of other actors (a real shipboard-rollout another test runs on this broker) are
/// put back on the queue for their consumer, not dropped.
final class RolloutStandIn: Sendable {
    struct Received: Sendable {
        let type: String
        let actor: String
        let action: String
        let reason: String?
    }

    private let received = Mutex<[Received]>([])
    private let broker: AMQPClient
    private let actors: Set<String>

    init(broker: AMQPClient, actors: Set<String>) {
        self.broker = broker
        self.actors = actors
    }

    var commands: [Received] { received.withLock { $0 } }

    /// Consumes `rollout.commands` until cancelled (``CommandStandIn``).
    func run() async throws {
        try await CommandStandIn.answer(broker, queue: "rollout.commands", actors: actors, requeueOthers: true) { type, actor, payload in
            let action = payload["action"] as? String ?? ""
            received.withLock { $0.append(Received(type: type, actor: actor, action: action, reason: payload["reason"] as? String)) }
            let state: RolloutState = switch action {
            case "pause": .paused
            case "abort": .aborted
            default: .running
            }
            return try ContractCoding.encode(CommandReply<RolloutControlled>.success(
                .init(releaseKey: payload["releaseKey"] as? String ?? "", rolloutId: UUID().uuidString, state: state)))
        }
    }
}
