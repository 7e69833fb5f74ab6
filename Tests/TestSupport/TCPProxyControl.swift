import CTestSupport
import Glibc
import Synchronization

/// What a ``TCPProxy`` and its forwarding thread share: the settings the test changes,
/// the statistics the thread reports, and an eventfd that wakes the thread's `poll()`.
///
/// Invariant: the eventfd is closed only in deinit, i.e. after both the proxy and the
/// thread have let go, so a late `wake()` never writes to a reused descriptor.
final class TCPProxyControl: Sendable {
    struct State: Sendable {
        var mode: TCPProxy.Mode = .pass
        var refusing = false
        /// The thread could not enter its namespace: every connection is refused.
        var failed = false
        var resetGeneration = 0
        var closing = false
        var statistics = TCPProxy.Statistics()
        var loopEnded = false
        var whenEnded: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    let wakeDescriptor: Int32

    init() throws(SocketError) {
        wakeDescriptor = shipboard_eventfd()
        guard wakeDescriptor >= 0 else { throw SocketError(operation: "eventfd", code: errno) }
    }

    deinit {
        Glibc.close(wakeDescriptor)
    }

    /// Changes the settings and wakes the thread so they apply at once.
    func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
        wake()
    }

    func wake() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    func drainWakeups() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, MemoryLayout<UInt64>.size)
    }
}
