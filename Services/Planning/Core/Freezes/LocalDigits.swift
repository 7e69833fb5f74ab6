/// Fixed-width ASCII digits, for the `YYYY-MM-DD`, `HH:MM` and iCalendar forms.
enum LocalDigits {
    /// The value of a run of ASCII digits; nil for anything else (signs, spaces, other scripts' digits).
    static func value(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(text)
    }

    /// `value` with leading zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
