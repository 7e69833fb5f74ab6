import Foundation

/// Dates as the API sends them, as a user types them and as tables show them.
public enum DateText {
    /// An RFC 3339 date-time with or without fractional seconds: the server's encoder may
    /// write either, and a strict decoder for one fails on the other.
    public static func parseTimestamp(_ text: String) -> Date? {
        for options in [fractional, whole] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// A date a user gave (`--start`, `--target-date`): a timestamp as above, or a plain
    /// `YYYY-MM-DD`, which is midnight UTC of that day.
    public static func parseArgument(_ text: String) -> Date? {
        if let date = parseTimestamp(text) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        guard text.count == 10 else { return nil }
        return formatter.date(from: text)
    }

    /// What the API is sent: RFC 3339 in UTC, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = whole
        return formatter.string(from: date)
    }

    /// A table cell: `2025-03-01 10:00Z`, to the minute (the JSON output has it all).
    public static func cell(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + "Z"
    }

    private static let whole: ISO8601DateFormatter.Options = [.withInternetDateTime]
    private static let fractional: ISO8601DateFormatter.Options = [.withInternetDateTime, .withFractionalSeconds]
}
