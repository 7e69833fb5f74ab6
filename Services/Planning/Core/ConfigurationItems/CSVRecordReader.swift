/// Splits CSV text (RFC 4180) into records, remembering the line each record starts on.
///
/// Fields are separated by `separator` (a comma, or the semicolon spreadsheets write in
/// locales whose decimal mark is a comma); a field in double quotes may contain separators,
/// newlines and doubled quotes (`""` is one `"`). Lines end in LF, CRLF or a lone CR (old
/// Mac files). Blank lines are skipped.
struct CSVRecordReader {
    /// One record: its fields and the 1-based physical line it starts on.
    struct Record: Equatable {
        let line: Int
        let fields: [String]
    }

    /// The text ended inside a quoted field that began on `line`.
    struct UnterminatedQuote: Error, Equatable {
        let line: Int
    }

    /// Parses `text` into records.
    static func records(_ text: String, separator: Character = ",") throws(UnterminatedQuote) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var characters = Array(text).makeIterator()
        var pending: Character? = characters.next()

        func endRecord() {
            fields.append(field)
            let blank = fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted
            if !blank { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while let character = pending {
            pending = characters.next()
            if inQuotes {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" || character == "\r" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
                quoteLine = line
            case separator:
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(character)
            }
        }
        if inQuotes { throw UnterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }

    /// The separator a file uses, read from its header line: `;` when the header has a
    /// semicolon and no comma outside quotes, otherwise `,`.
    static func separator(of text: String) -> Character {
        var inQuotes = false
        var commas = 0
        var semicolons = 0
        for character in text {
            if character == "\"" { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if character == "\n" || character == "\r\n" || character == "\r" { break }
            if character == "," { commas += 1 }
            if character == ";" { semicolons += 1 }
        }
        return semicolons > 0 && commas == 0 ? ";" : ","
    }
}
