import CRabbitMQ
import Dispatch
import Glibc
import Synchronization

/// A serial executor that runs jobs on its own `DispatchQueue` and can interrupt a job
/// that is blocked waiting on the broker's socket.
///
/// Why: rabbitmq-c connections are not thread-safe, so every call on one connection runs
/// on this executor (the owning actor's `unownedExecutor`). The consume loop has to block in
/// `poll()` while it waits for frames; a job enqueued meanwhile (an ack, a publish) must not
/// wait for that poll to time out. Every `enqueue` therefore bumps `pendingJobs` and writes
/// to an eventfd that the blocked `poll()` also watches.
///
/// Invariant: jobs run one at a time, in enqueue order, on `queue`, never on Swift's
/// cooperative pool (which has only two threads on these machines).
final class WakeableSerialExecutor: SerialExecutor {
    private let queue: DispatchQueue
    /// eventfd signalled on every enqueue; read end polled by `AMQPConnection.pump`.
    let wakeDescriptor: Int32
    /// Jobs enqueued and not yet finished, including the one running now.
    private let pendingJobs = Atomic<Int>(0)

    init(label: String) {
        self.queue = DispatchQueue(label: label)
        self.wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        pendingJobs.add(1, ordering: .sequentiallyConsistent)
        signal()
        queue.async {
            unownedJob.runSynchronously(on: self.asUnownedSerialExecutor())
            self.pendingJobs.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True when a job other than the running one is waiting. Checked before blocking.
    var hasWaitingJobs: Bool {
        pendingJobs.load(ordering: .sequentiallyConsistent) > 1
    }

    /// Wakes a blocked `poll()` on `wakeDescriptor`.
    func signal() {
        guard wakeDescriptor >= 0 else { return }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Clears pending wake-ups (called by the job that polls, before and after polling).
    func drainSignals() {
        guard wakeDescriptor >= 0 else { return }
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, MemoryLayout<UInt64>.size)
    }
}
