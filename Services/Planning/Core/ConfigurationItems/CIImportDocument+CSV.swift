import Contracts
import Foundation

extension CIImportDocument {
    /// The CSV columns, in any order. `key`, `name` and `class` are required.
    ///
    /// - `site`: optional site name (empty = none).
    /// - `attributes`: a JSON object of strings, e.g. `"{""version"":""2.1""}"` (empty = `{}`).
    /// - `depends_on`, `runs_on`, `located_at`, `part_of`: target CI keys separated by `;`,
    ///   this row's CI being the source. Targets may be defined anywhere in the file or
    ///   already be stored.
    public static let csvColumns = ["key", "name", "class", "site", "attributes"] + CIRelationshipKind.allCases.map(\.rawValue)

    /// Parses and validates CSV with a header line (see ``csvColumns``). Never throws:
    /// problems are collected in ``issues`` by line. Accepts what spreadsheets write: a UTF-8
    /// byte-order mark, `;` as the separator (then a quoted relationship list keeps its `;`),
    /// and CRLF or lone CR line ends.
    public static func parseCSV(_ text: String) -> CIImportDocument {
        var document = CIImportDocument()
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let records: [CSVRecordReader.Record]
        do {
            records = try CSVRecordReader.records(text, separator: CSVRecordReader.separator(of: text))
        } catch {
            document.report(line: error.line, field: "document", "a quoted field starting here is never closed")
            return document
        }
        guard let header = records.first else {
            document.report(line: 0, field: "document", "the file is empty; expected a header line")
            return document
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var column: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if !csvColumns.contains(name) {
                document.report(line: header.line, field: "header", "unknown column '\(name.prefix(40))'")
            } else if column[name] != nil {
                document.report(line: header.line, field: "header", "column '\(name)' appears twice")
            } else {
                column[name] = index
            }
        }
        for required in ["key", "name", "class"] where column[required] == nil {
            document.report(line: header.line, field: "header", "required column '\(required)' is missing")
        }
        guard document.issues.isEmpty else { return document }

        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                document.report(line: record.line, field: "record", "has \(record.fields.count) fields, the header has \(names.count)")
                continue
            }
            func value(_ name: String) -> String? {
                column[name].map { record.fields[$0].trimmingCharacters(in: .whitespaces) }
            }
            var attributes: [String: String] = [:]
            if let text = value("attributes"), !text.isEmpty {
                if let decoded = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) {
                    attributes = decoded
                } else {
                    document.report(line: record.line, field: "attributes", "must be a JSON object with string values")
                }
            }
            var related: [CIRelationshipKind: [String]] = [:]
            for kind in CIRelationshipKind.allCases {
                related[kind] = (value(kind.rawValue) ?? "").split(separator: ";")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            let site = value("site").flatMap { $0.isEmpty ? nil : $0 }
            document.add(
                line: record.line, key: value("key") ?? "", name: value("name") ?? "", ciClass: value("class") ?? "",
                site: site, attributes: attributes, related: related)
        }
        return document
    }
}
