#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on the monotonic clock as plain integers. Every statement reads the time to
/// set its deadline, and integer arithmetic keeps that cheap (`Duration` arithmetic is
/// 128-bit and slow in debug builds).
enum MonotonicTime {
    /// Now, in nanoseconds since an arbitrary fixed point.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// `duration` in nanoseconds (negative counts as 0, too long saturates).
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (product, overflow) = UInt64(duration.milliseconds).multipliedReportingOverflow(by: 1_000_000)
        return overflow ? UInt64.max : product
    }

    /// `instant + nanoseconds`, saturating.
    static func adding(_ nanoseconds: UInt64, to instant: UInt64) -> UInt64 {
        let (sum, overflow) = instant.addingReportingOverflow(nanoseconds)
        return overflow ? UInt64.max : sum
    }
}
