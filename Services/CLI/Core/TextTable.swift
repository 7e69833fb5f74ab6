/// Rows as a plain table for an 80-column terminal: columns two spaces apart, no trailing
/// spaces, and when the table is too wide the widest column gives up a character at a time
/// (so one long title shrinks before short keys do); a cut cell ends in `…`.
public struct TextTable: Sendable {
    public static let standardWidth = 80
    /// Below this a column is not shrunk further (a key cut to two characters helps no one).
    static let minimumColumnWidth = 4

    public let header: [String]
    public let rows: [[String]]
    public let width: Int

    public init(header: [String], rows: [[String]], width: Int = TextTable.standardWidth) {
        self.header = header
        self.rows = rows
        self.width = width
    }

    /// The table's lines, each ending in a newline; a header alone when there are no rows.
    public var text: String {
        let all = ([header] + rows).map { cells in
            (0..<header.count).map { index in index < cells.count ? CellText.oneLine(cells[index]) : "" }
        }
        let widths = Self.fit(natural: (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 },
                              width: width)
        return all.map { cells in
            var line = ""
            for (column, cell) in cells.enumerated() {
                let text = CellText.truncate(cell, to: widths[column])
                line += column == cells.count - 1 ? text : text.padding(toLength: widths[column] + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return CellText.truncate(line, to: width) + "\n"
        }.joined()
    }

    /// Column widths no wider than each column's longest cell, shrinking the widest column
    /// first (the rightmost of equals: free text such as a title usually comes last) until
    /// the line, with its two-space gaps, fits.
    static func fit(natural: [Int], width: Int) -> [Int] {
        var widths = natural
        let gaps = max(0, widths.count - 1) * 2
        while widths.reduce(0, +) + gaps > width {
            guard let widest = widths.indices.reversed().max(by: { widths[$0] < widths[$1] }),
                  widths[widest] > minimumColumnWidth
            else { break }
            widths[widest] -= 1
        }
        return widths
    }
}

/// Cell text helpers shared by tables, field lists and status lines.
public enum CellText {
    /// Newlines and tabs in a value (a description, a reason) would break the layout.
    public static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// `text` cut to `width` characters, the last one `…` when anything was cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 0 else { return "" }
        return String(text.prefix(width - 1)) + "…"
    }
}

extension String {
    /// Pads with spaces to `length` characters (Foundation's `padding` counts UTF-16 units).
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
