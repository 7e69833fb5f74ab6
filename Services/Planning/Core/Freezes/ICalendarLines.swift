import Foundation

/// The lexical rules of RFC 5545 that every line of the feed goes through.
///
/// - Content lines end in CRLF and are folded so no line is longer than 75 octets: a fold is
///   CRLF followed by one space, the space counting towards the next line's 75, and a fold
///   never falls inside a UTF-8 sequence (§3.1).
/// - TEXT values escape backslash, semicolon, comma and line breaks (§3.3.11). Control
///   characters are not allowed in TEXT at all, so they are dropped; a line break (LF, CR LF
///   or a lone CR) becomes `\n`.
struct ICalendarLines {
    private(set) var text = ""

    /// The longest line, in octets, not counting its CRLF.
    static let maximumOctets = 75

    /// Appends `name:value` (or `name;parameters:value`), folded, with its CRLF. `value` must
    /// already be escaped or be a value type with no characters to escape.
    mutating func append(_ name: String, _ value: String) {
        var octets = 0
        for scalar in "\(name):\(value)".unicodeScalars {
            let width = UTF8.width(scalar)
            if octets + width > Self.maximumOctets {
                text += "\r\n "
                octets = 1
            }
            text.unicodeScalars.append(scalar)
            octets += width
        }
        text += "\r\n"
    }

    /// Appends a TEXT property: `value` escaped, then folded.
    mutating func appendText(_ name: String, _ value: String) {
        append(name, Self.escaped(value))
    }

    /// `value` as RFC 5545 TEXT.
    static func escaped(_ value: String) -> String {
        var escaped = ""
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": escaped += "\\\\"
            case ";": escaped += "\\;"
            case ",": escaped += "\\,"
            case "\r": escaped += "\\n"
            case "\n": if !previousWasCR { escaped += "\\n" }
            default:
                if scalar.properties.generalCategory != .control { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }

    /// A UTC DATE-TIME, `YYYYMMDDTHHMMSSZ` (fractions of a second dropped).
    static func utc(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        return minutes(LocalDateTime(wallSeconds: seconds)) + LocalDigits.padded(((seconds % 60) + 60) % 60, 2) + "Z"
    }

    /// A local DATE-TIME, `YYYYMMDDTHHMMSS`, for use with a `TZID` parameter.
    static func local(_ time: LocalDateTime) -> String { minutes(time) + "00" }

    /// `YYYYMMDDTHHMM`.
    private static func minutes(_ time: LocalDateTime) -> String {
        let date = time.date
        return LocalDigits.padded(date.year, 4) + LocalDigits.padded(date.month, 2) + LocalDigits.padded(date.day, 2)
            + "T" + LocalDigits.padded(time.time.hour, 2) + LocalDigits.padded(time.time.minute, 2)
    }
}
