import CLICore
import Foundation
import GatewayAPI

/// How DML answers read in a terminal.
enum DMLText {
    static func list(_ entries: [Components.Schemas.DMLEntry]) -> String {
        guard !entries.isEmpty else { return "no DML entries\n" }
        return TextTable(header: ["ENTRY", "STATE", "SIZE", "RELEASE", "ACCEPTED BY", "SHA-256"], rows: entries.map { entry in
            ["\(entry.name)@\(entry.version)", entry.state.rawValue, ByteSize.text(entry.size), entry.releaseKey, entry.acceptedBy,
             String(entry.sha256.prefix(16))]
        }).text
    }

    static func show(_ detail: Components.Schemas.DMLEntryDetail) -> String {
        let entry = detail.entry
        let provenance = detail.provenance
        return FieldList([
            ("entry", "\(entry.name)@\(entry.version)"), ("state", entry.state.rawValue), ("sha256", entry.sha256),
            ("size", ByteSize.text(entry.size)), ("release", entry.releaseKey),
            ("build", "\(entry.buildId)" + (provenance.map { " (\($0.buildTaskKey), by \($0.builtBy) \(DateText.timestamp($0.builtAt)))" } ?? "")),
            ("test run", "\(entry.testRunId)" + (provenance.map { " (\($0.testOutcome.rawValue), by \($0.testedBy))" } ?? "")),
            ("accepted", "by \(entry.acceptedBy) at \(entry.acceptedAt)"), ("override", entry.overrideReason),
            ("retired", detail.retiredAt.map { "\(DateText.timestamp($0)) by \(detail.retiredBy ?? "?"): \(detail.retiredReason ?? "")" }),
            ("used by", detail.pins.isEmpty ? "nobody" : detail.pins.map(\.holder).joined(separator: ", ")),
        ]).text
    }

    static func verified(_ verified: Components.Schemas.DMLVerified) -> String {
        var text = "checked \(verified.checked) entries: "
        text += verified.mismatches.isEmpty ? "all match\n" : "\(verified.mismatches.count) do not match\n"
        if !verified.mismatches.isEmpty {
            text += TextTable(header: ["ENTRY", "PROBLEM", "SHA-256"], rows: verified.mismatches.map {
                ["\($0.name)@\($0.version)", $0.problem, String($0.sha256.prefix(16))]
            }).text
        }
        return text
    }
}
