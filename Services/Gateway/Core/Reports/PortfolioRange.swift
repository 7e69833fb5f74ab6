import Contracts
import Foundation

/// The days a portfolio report covers, checked before any SQL: `from` and `to` are calendar
/// days `YYYY-MM-DD` (UTC), both included, `from` not after `to`, at most ``maxDays`` days.
public struct PortfolioRange: Sendable, Equatable {
    public static let maxDays = 366

    /// Midnight UTC of the first day.
    public let start: Date
    /// Midnight UTC after the last day (exclusive).
    public let end: Date
    public let from: String
    public let to: String

    public init(from: String?, to: String?) throws(CommandError) {
        let first = try Self.day(from, field: "from"), last = try Self.day(to, field: "to")
        guard first <= last else {
            throw CommandError(.validation, "from must not be after to", rule: "reports.range", fields: ["from": "is after to"])
        }
        let days = Int(last.timeIntervalSince(first) / 86_400) + 1
        guard days <= Self.maxDays else {
            throw CommandError(
                .validation, "the range must be at most \(Self.maxDays) days", rule: "reports.range",
                fields: ["to": "is more than \(Self.maxDays) days after from"])
        }
        start = first
        end = last.addingTimeInterval(86_400)
        self.from = from ?? ""
        self.to = to ?? ""
    }

    /// Midnight UTC of `text`, which must be exactly `YYYY-MM-DD` and a real day (not 2026-02-30).
    static func day(_ text: String?, field: String) throws(CommandError) -> Date {
        let refusal = CommandError(.validation, "\(field) must be a day, YYYY-MM-DD", rule: "reports.range",
                                   fields: [field: "must be a day, YYYY-MM-DD"])
        guard let text, text.utf8.count == 10 else { throw refusal }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]), year >= 1970
        else { throw refusal }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth)),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: dayOfMonth)
        else { throw refusal }
        return date
    }
}
