import CLICore
import Foundation
import GatewayAPI

/// How test runs and acceptance decisions read in a terminal.
enum TestRunText {
    static func runs(_ list: Components.Schemas.TestRunList) -> String {
        guard !list.items.isEmpty else { return "\(list.releaseKey) has no test runs yet\n" }
        return list.items.map(run).joined(separator: "\n")
    }

    /// A run's summary line, its decision, and one row per test (with its output when the
    /// answer carries it).
    static func run(_ run: Components.Schemas.TestRun) -> String {
        var text = "run \(run.id) of \(run.releaseKey): \(run.outcome.rawValue) (\(run.passed) passed, \(run.failed) failed), "
            + "image \(run.imageSha256.prefix(12)), \(DateText.timestamp(run.finishedAt))\n"
        if let acceptance = run.acceptance {
            text += "  \(acceptance.decision.rawValue) by \(acceptance.decidedBy)"
                + (acceptance.reason.map { ": \($0)" } ?? "") + "\n"
        }
        text += TextTable(header: ["#", "TEST", "OUTCOME", "EXIT", "MS", "DETAIL"], rows: run.results.map { result in
            [String(result.position), result.name, result.outcome.rawValue, result.exitStatus.map(String.init) ?? "",
             String(result.durationMs), result.detail]
        }).text
        for result in run.results {
            guard let output = result.output, !output.isEmpty else { continue }
            let dropped = result.outputDroppedBytes > 0 ? " (\(ByteSize.text(result.outputDroppedBytes)) more not kept)" : ""
            text += "--- \(result.name)\(dropped)\n\(output)\(output.hasSuffix("\n") ? "" : "\n")"
        }
        return text
    }

    static func decided(_ decided: Components.Schemas.AcceptanceDecided) -> String {
        if let entry = decided.entry { return "accepted: \(entry.name)@\(entry.version) is in the DML (\(entry.sha256))\n" }
        if let rejection = decided.rejection { return "rejected run \(rejection.runId) of \(rejection.releaseKey): \(rejection.reason)\n" }
        return "\(decided.decision.rawValue)\n"
    }
}
