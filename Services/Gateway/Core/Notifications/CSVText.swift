/// Rows as RFC 4180 CSV for a spreadsheet: CRLF line ends; a cell holding a comma, a quote,
/// CR or LF is quoted, its quotes doubled. A cell a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, or a tab or CR before one) gets a leading `'`, so a
/// recipient name or an error message typed by someone else can never execute on export
/// (OWASP "CSV injection").
public enum CSVText {
    public static func render(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { cells in cells.map(cell).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One cell as written: neutralised, then quoted if needed.
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
