/// Calendar arithmetic for timestamps in PostgreSQL's ISO text format, done on integers so
/// microseconds survive exactly (no `DateFormatter`, no floating-point calendar maths).
///
/// Times are microseconds since 2001-01-01 00:00:00 UTC, the reference date of
/// Foundation's `Date`, so converting to `Date` needs one division and no further rounding.
enum PostgresTimestamp {
    static let microsecondsPerSecond: Int64 = 1_000_000
    static let microsecondsPerDay: Int64 = 86_400 * microsecondsPerSecond
    /// Days from 1970-01-01 to 2001-01-01.
    static let referenceDayOffset: Int64 = 11_323

    // MARK: Formatting

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` (with ` BC` for years before 1), always in UTC.
    static func format(microsecondsSinceReference micros: Int64) -> String {
        let (dayCount, dayMicros) = floorDivide(micros, microsecondsPerDay)
        let (year, month, day) = civil(fromDaysSince1970: dayCount + referenceDayOffset)
        let seconds = dayMicros / microsecondsPerSecond
        let fraction = dayMicros % microsecondsPerSecond
        let bc = year <= 0
        var text = padded(bc ? 1 - year : year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
        text += " " + padded(seconds / 3600, 2) + ":" + padded(seconds / 60 % 60, 2) + ":" + padded(seconds % 60, 2)
        text += "." + padded(fraction, 6) + "+00"
        return bc ? text + " BC" : text
    }

    // MARK: Parsing

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM[:SS]]][ BC]`. A missing offset means UTC
    /// (`timestamp` columns are read as UTC; the session time zone is always UTC).
    static func parse(_ text: String) -> Int64? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(minDigits: 4, maxDigits: 7), scanner.skip("-"),
              let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip("-"),
              let day = scanner.number(minDigits: 2, maxDigits: 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }

        var secondsOfDay: Int64 = 0
        var fraction: Int64 = 0
        if scanner.skip(" ") || scanner.skip("T") {
            guard let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(":"),
                  let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(":"),
                  let second = scanner.number(minDigits: 2, maxDigits: 2),
                  hour <= 24, minute < 60, second <= 60
            else { return nil }
            secondsOfDay = hour * 3600 + minute * 60 + second
            if scanner.skip(".") {
                guard let (digits, count) = scanner.digits(maxDigits: 6) else { return nil }
                fraction = digits
                for _ in count..<6 { fraction *= 10 }
                // PostgreSQL stores microseconds; more digits only come from other sources.
                while scanner.peekIsDigit { scanner.advance() }
            }
        }

        var offsetSeconds: Int64 = 0
        if scanner.skip("Z") {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
            var offset = hours * 3600
            if scanner.skip(":") {
                guard let minutes = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                offset += minutes * 60
                if scanner.skip(":") {
                    guard let seconds = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                    offset += seconds
                }
            }
            offsetSeconds = sign * offset
        }
        var astronomicalYear = year
        if scanner.skip(" BC") { astronomicalYear = 1 - year }
        guard scanner.isAtEnd else { return nil }

        let days = daysSince1970(year: astronomicalYear, month: month, day: day) - referenceDayOffset
        let (product, overflow) = days.multipliedReportingOverflow(by: microsecondsPerDay)
        guard !overflow else { return nil }
        return product + (secondsOfDay - offsetSeconds) * microsecondsPerSecond + fraction
    }

    // MARK: Civil calendar (proleptic Gregorian; Howard Hinnant's algorithms)

    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A cursor over ASCII bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }
        var peekIsDigit: Bool { index < bytes.count && Self.isDigit(bytes[index]) }

        mutating func advance() { index += 1 }

        mutating func skip(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = literal.withUTF8Buffer { Array($0) == Array(bytes[index..<index + count]) }
            if matches { index += count }
            return matches
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }

        mutating func digits(maxDigits: Int) -> (Int64, Int)? {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, peekIsDigit {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
                count += 1
            }
            return count == 0 ? nil : (value, count)
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int64? {
            guard let (value, count) = digits(maxDigits: maxDigits), count >= minDigits else { return nil }
            return value
        }

        private static func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
