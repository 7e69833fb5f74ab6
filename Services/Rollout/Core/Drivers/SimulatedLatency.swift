import Foundation

/// How long a simulated deploy takes: a fixed value, uniform between two values, or
/// lognormal (most deploys near the median, a long tail up to the 99th percentile), as load
/// tests need. Written in settings as `fixed:200ms`, `uniform:50ms:400ms` or
/// `lognormal:200ms:2s` (median, then p99); `0` is no latency at all.
public enum SimulatedLatency: Sendable, Equatable {
    case fixed(Duration)
    case uniform(Duration, Duration)
    case lognormal(median: Duration, p99: Duration)

    /// The 99th percentile of the standard normal distribution.
    static let z99 = 2.3263478740408408

    /// The latency for two independent uniform draws in [0, 1).
    public func sample(_ u1: Double, _ u2: Double) -> Duration {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let low, let high):
            return .seconds(Self.seconds(low) + (Self.seconds(high) - Self.seconds(low)) * u1)
        case .lognormal(let median, let p99):
            // Box–Muller turns the two uniforms into one standard normal draw.
            let normal = (-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2)
            let mu = log(Self.seconds(median)), sigma = (log(Self.seconds(p99)) - mu) / Self.z99
            return .seconds(exp(mu + sigma * normal))
        }
    }

    /// Parses the settings' spelling; nil for anything else (negative values, p99 below the
    /// median, a lognormal median of 0, a uniform range upside down).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let durations = parts.dropFirst().map(Self.duration)
        switch (parts.first, durations.count) {
        case ("0", 0): self = .fixed(.zero)
        case ("fixed", 1): guard let value = durations[0] else { return nil }; self = .fixed(value)
        case ("uniform", 2):
            guard let low = durations[0], let high = durations[1], low <= high else { return nil }
            self = .uniform(low, high)
        case ("lognormal", 2):
            guard let median = durations[0], let p99 = durations[1], median > .zero, p99 >= median else { return nil }
            self = .lognormal(median: median, p99: p99)
        default: return nil
        }
    }

    /// `250ms` or `2s` (a whole number), at most an hour.
    static func duration(_ text: String) -> Duration? {
        let (digits, unit): (Substring, Duration) =
            text.hasSuffix("ms") ? (text.dropLast(2), .milliseconds(1)) : text.hasSuffix("s") ? (text.dropLast(1), .seconds(1)) : ("", .zero)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }), let count = Int(digits), count <= 3_600_000 else {
            return nil
        }
        let value = unit * count
        return value <= .seconds(3600) ? value : nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
