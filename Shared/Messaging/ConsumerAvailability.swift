import Foundation
import Logging

/// Whether a consumer runner can work (its readiness), and how it waits out a database outage.
///
/// - Ready while the runner consumes and no outage is open.
/// - The first handler failure classified `unavailable` opens the outage: the runner's
///   lanes stop handing out work (what they hold stays unacknowledged, in order), the
///   consumer is paused (the broker sends nothing more) and the runner reports not ready.
/// - The database is probed with backoff (100 ms doubling to 5 s, jittered); the outage is
///   logged once when it starts and once when it ends, not per failure.
/// - When a probe succeeds, the held messages are handed out again, then the consumer
///   resumes. None of this counts as an attempt of any message.
actor ConsumerAvailability {
    private let lanes: DeliveryLanes<LaneItem>
    private let probe: @Sendable () async -> Bool
    private let logger: Logger
    private var pauseConsumer: (@Sendable () async -> Void)?
    private var resumeConsumer: (@Sendable () async -> Void)?
    private var waiting: Task<Void, Never>?
    private var startedAt: ContinuousClock.Instant?

    init(lanes: DeliveryLanes<LaneItem>, probe: @escaping @Sendable () async -> Bool, logger: Logger) {
        self.lanes = lanes
        self.probe = probe
        self.logger = logger
    }

    private var consuming = false

    /// True while the database is unavailable.
    var outageIsOpen: Bool { startedAt != nil }

    /// Ready: consuming, and the database available.
    var isReady: Bool { consuming && startedAt == nil }

    func setConsuming(_ value: Bool) {
        consuming = value
    }

    /// How to stop and restart deliveries (the runner's consumer), set once it exists.
    func control(pause: @escaping @Sendable () async -> Void, resume: @escaping @Sendable () async -> Void) {
        pauseConsumer = pause
        resumeConsumer = resume
    }

    /// A handler found the database unavailable. Returns once the lanes are held, so the
    /// caller's messages, put back afterwards, wait for the database.
    func report(_ error: any Error) async {
        guard startedAt == nil else { return }
        startedAt = .now
        logger.warning(
            "database unavailable: holding received messages and pausing the consumer until it is back",
            metadata: ["error": "\(ConsumerRunner.describe(error))"])
        await lanes.hold()
        waiting = Task { [weak self] in await self?.waitForDatabase() }
    }

    /// Ends the wait (shutdown).
    func stop() {
        waiting?.cancel()
    }

    private func waitForDatabase() async {
        await pauseConsumer?()
        var attempt = 0
        while !Task.isCancelled {
            let base = min(Duration.milliseconds(100) * (1 << min(attempt, 6)), .seconds(5))
            try? await Task.sleep(for: base * Double.random(in: 0.75...1.0))
            if Task.isCancelled { return }
            if await probe() { break }
            attempt += 1
        }
        guard !Task.isCancelled else { return }
        let lasted = startedAt.map { ContinuousClock.now - $0 } ?? .zero
        startedAt = nil
        logger.info(
            "database available again: handling the held messages and resuming the consumer",
            metadata: ["outage.seconds": "\(lasted.components.seconds)", "outage.probes": "\(attempt + 1)"])
        await lanes.release()
        await resumeConsumer?()
    }
}
