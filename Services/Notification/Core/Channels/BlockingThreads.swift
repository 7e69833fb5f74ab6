import NIOPosix

/// Threads for the channels' blocking calls: libcurl's SMTP transfers and `getaddrinfo`.
///
/// Not Dispatch: a concurrent queue on Linux runs no more blocking work items at once than
/// there are CPUs (two on these machines), so every SMTP transfer and host look-up shared two
/// threads, and the benchmark's sends were capped near 100 per second per channel whatever the
/// per-endpoint concurrency said. Not Swift's cooperative pool either (it must never block).
/// The pools live as long as the process (a static, started on first use).
enum BlockingThreads {
    /// SMTP transfers: one thread per transfer in flight. The dispatcher's per-endpoint limit
    /// bounds them (the SMTP server is one endpoint; the setting allows at most 64).
    static let smtp = started(threads: 64)
    /// Host look-ups before a webhook or chat send (IP literals need none).
    static let resolver = started(threads: 16)

    private static func started(threads: Int) -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }
}
