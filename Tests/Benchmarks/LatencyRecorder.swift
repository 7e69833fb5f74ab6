import Foundation
import Histogram

/// Latency samples in an HDR histogram (microseconds, 3 significant digits), so percentiles
/// cost nothing to record and come out exact to 0.1%.
actor LatencyRecorder {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    func add(seconds: Double) {
        _ = histogram.record(UInt64(max(0, seconds * 1_000_000)))
    }

    func reset() { histogram.reset() }

    var count: Int { Int(histogram.totalCount) }

    /// The latency at `percentile` (0–100) in milliseconds; NaN without samples.
    func milliseconds(atPercentile percentile: Double) -> Double {
        histogram.totalCount == 0 ? .nan : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// The largest sample in milliseconds.
    var maximumMilliseconds: Double { Double(histogram.max) / 1000 }
}
