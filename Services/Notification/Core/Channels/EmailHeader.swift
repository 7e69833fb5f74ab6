import Foundation
import Glibc

/// Header field values for outgoing mail (RFC 5322, RFC 2047). Every value a person or a
/// template supplied passes `problem(with:field:)` first: a CR or LF would let it add
/// headers of its own (header injection), so such a value is refused, not cleaned.
public enum EmailHeader {
    /// The longest subject accepted (a header line may not pass 998 octets).
    public static let maximumSubjectLength = 900

    /// Why `value` cannot be a header value, or nil.
    public static func problem(with value: String, field: String) -> String? {
        if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            return "the \(field) contains a line break, which is not allowed in a mail header"
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the \(field) contains a control character"
        }
        if value.count > maximumSubjectLength { return "the \(field) is longer than \(maximumSubjectLength) characters" }
        return nil
    }

    /// `value` as is when it is printable ASCII, else RFC 2047 encoded words
    /// (`=?UTF-8?B?…?=`, each under 76 characters, folded onto continuation lines).
    public static func encoded(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { !$0.isASCII }) || value.contains("=?") else { return value }
        return encodedWords(value).joined(separator: "\r\n ")
    }

    /// `name <address>`, the name quoted or encoded as needed; just the address without a name.
    public static func mailbox(name: String, address: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return address }
        if trimmed.unicodeScalars.contains(where: { !$0.isASCII }) {
            return "\(encodedWords(trimmed).joined(separator: "\r\n ")) <\(address)>"
        }
        let quoted = trimmed.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(quoted)\" <\(address)>"
    }

    /// `date` as RFC 5322 wants it, in UTC: `Tue, 01 Dec 2026 10:00:00 +0000`.
    public static func date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// Encoded words of at most 45 UTF-8 bytes each (60 base64 characters + 12 of framing),
    /// split between Unicode scalars so that no word holds part of a character.
    private static func encodedWords(_ value: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }
}
