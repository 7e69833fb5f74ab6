import Dispatch

/// A serial executor that runs every job on one private `DispatchQueue`.
///
/// Each `PostgresConnection` actor uses its own instance as `unownedExecutor`, so the
/// blocking libpq calls it makes run on a dispatch thread and never tie up Swift's
/// cooperative pool (two threads on our machines). `DispatchSerialQueue` cannot serve as
/// an executor on Linux, hence this small class.
///
/// It is also a `TaskExecutor`: a transaction's body prefers it, so the nonisolated code
/// between statements runs on the same thread as the statements themselves.
///
/// Invariant: jobs are run one at a time, in enqueue order, on `queue`.
final class PostgresQueueExecutor: SerialExecutor, TaskExecutor {
    let queue: DispatchQueue

    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
