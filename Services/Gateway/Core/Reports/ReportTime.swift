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
