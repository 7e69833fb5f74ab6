import Logging

/// The relay's view of an outage (broker or database unreachable, blocked, not confirming):
/// one warning when it starts, one notice when it ends, and in between only debug lines and
/// an exponential backoff (100 ms doubling to 5 s). An outage is never counted against a row.
struct OutboxRelayOutage {
    private var started: ContinuousClock.Instant?
    private var failures = 0

    /// Records a failed round; returns how long to wait before the next.
    mutating func failed(_ error: any Error, logger: Logger) -> Duration {
        failures += 1
        if started == nil {
            started = .now
            logger.warning("outbox relay cannot publish; rows stay pending until it can", metadata: ["outbox.error": "\(error)"])
        } else {
            logger.debug("outbox relay still cannot publish", metadata: [
                "outbox.error": "\(error)", "outbox.failures": "\(failures)",
            ])
        }
        return min(Duration.milliseconds(100) * (1 << min(failures, 6)), .seconds(5))
    }

    /// Records a successful round; logs the end of an outage once.
    mutating func ended(logger: Logger) {
        guard let started else { return }
        logger.notice("outbox relay publishes again", metadata: [
            "outbox.outage": "\(ContinuousClock.now - started)", "outbox.failures": "\(failures)",
        ])
        self.started = nil
        failures = 0
    }
}
