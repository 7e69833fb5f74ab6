import Foundation

/// How reports print times and shares, the same in HTML and CSV: UTC ISO 8601
/// (`2026-03-01T09:30:00Z`), nothing for no time; a percent rounded down to a whole number.
enum ReportTime {
    static func text(_ date: Date?) -> String {
        date?.formatted(Date.ISO8601FormatStyle()) ?? ""
    }

    static func percent(_ share: Double) -> String {
        String(Int(share.rounded(.down)))
    }
}

/// A site's (or a rollout's) targets by state in a fixed order, states with none left out:
/// the per-site counts both formats print.
enum ReportSiteCounts {
    static func states(_ counts: RolloutCounts) -> [(String, Int)] {
        [("succeeded", counts.succeeded), ("failed", counts.failed), ("backed_out", counts.backedOut), ("skipped", counts.skipped),
         ("excluded", counts.excluded), ("running", counts.running), ("pending", counts.pending), ("total", counts.total)]
            .filter { $0.1 > 0 || $0.0 == "total" }
    }
}
