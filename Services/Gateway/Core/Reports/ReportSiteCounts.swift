/// A site's (or a rollout's) targets by state in a fixed order, states with none left out:
/// the per-site counts both formats print.
enum ReportSiteCounts {
    static func states(_ counts: RolloutCounts) -> [(String, Int)] {
        [("succeeded", counts.succeeded), ("failed", counts.failed), ("backed_out", counts.backedOut), ("skipped", counts.skipped),
         ("excluded", counts.excluded), ("running", counts.running), ("pending", counts.pending), ("total", counts.total)]
            .filter { $0.1 > 0 || $0.0 == "total" }
    }
}
