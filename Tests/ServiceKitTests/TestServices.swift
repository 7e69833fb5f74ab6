import ServiceLifecycle
import Synchronization

/// What the test services did, in order.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    func record(_ event: String) {
        events.withLock { $0.append(event) }
        continuation.yield(event)
    }

    var all: [String] { events.withLock { $0 } }

    /// Waits until `event` has been recorded (now or later).
    func wait(for event: String) async {
        if all.contains(event) { return }
        for await recorded in stream where recorded == event { return }
    }
}

/// Runs until graceful shutdown, recording start and stop.
struct GracefulService: Service, CustomStringConvertible {
    let name: String
    let log: EventLog
    var description: String { name }

    func run() async throws {
        log.record("start \(name)")
        try? await gracefulShutdown()
        log.record("stop \(name)")
    }
}

/// Returns at once, as a consumer loop with a bug might.
struct ReturningService: Service {
    func run() async throws {}
}

/// Ignores graceful shutdown; stops only when cancelled.
struct StubbornService: Service, CustomStringConvertible {
    let log: EventLog
    var description: String { "stubborn" }

    func run() async throws {
        log.record("start stubborn")
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
        log.record("cancelled stubborn")
    }
}

/// Holds a secret in a stored property, as a service holding its configuration does.
struct SecretHoldingService: Service {
    let password = "pw-in-a-property"
    let log: EventLog

    func run() async throws {
        log.record("start secret")
        try? await gracefulShutdown()
    }
}
