import Contracts

/// How a report is asked for: `html` (a printable page, the default) or `csv` (one file for a
/// spreadsheet). The API takes it as the `format` query parameter, not from `Accept`, so a
/// link or a saved URL always yields the same document.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, csv

    /// `text` as a format; nil is the default (`html`); anything else is refused.
    public init(parsing text: String?) throws(CommandError) {
        guard let text else { self = .html; return }
        guard let format = ReportFormat(rawValue: text) else {
            throw CommandError(.validation, "format must be html or csv", rule: "reports.format", fields: ["format": "must be html or csv"])
        }
        self = format
    }

    public var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    /// A download's file name: `stem` is a release key or a range already checked to hold only
    /// letters, digits and `-`, so the name needs no quoting in `Content-Disposition`.
    public func fileName(_ stem: String) -> String {
        let safe = String(String.UnicodeScalarView(stem.unicodeScalars.filter {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }).prefix(64))
        return "\(safe.isEmpty ? "report" : safe)-report.\(rawValue)"
    }
}
