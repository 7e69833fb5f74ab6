import Dispatch

/// A serial executor that runs every job on one private `DispatchQueue`.
///
/// Each `PostgresConnection` actor uses its own instance as `unownedExecutor`, so the
/// blocking libpq calls it makes run on a dispatch thread and never tie up Swift's
/// cooperative pool (two threads on our machines). `DispatchSerialQueue` cannot serve as
/// an executor on Linux, hence this small class.
///
/// Invariant: jobs are run one at a time, in enqueue order, on `queue`.
final class PostgresQueueExecutor: SerialExecutor {
    let queue: DispatchQueue

    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(on: self.asUnownedSerialExecutor())
        }
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
