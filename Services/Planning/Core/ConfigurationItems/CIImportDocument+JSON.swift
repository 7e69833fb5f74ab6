import Contracts
import Foundation

extension CIImportDocument {
    /// Parses and validates JSON: `{"items": [ … ]}` or a bare array of items, each
    /// `{"key", "name", "class", "site"?, "attributes"?: {string: string},
    /// "depends_on"?: [keys], "runs_on"?: [keys], "located_at"?: [keys], "part_of"?: [keys]}`.
    /// Problems are collected in ``issues``; their `line` is the item's 1-based position.
    public static func parseJSON(_ data: Data) -> CIImportDocument {
        var document = CIImportDocument()
        let root = try? JSONSerialization.jsonObject(with: data)
        guard let items = (root as? [Any]) ?? ((root as? [String: Any])?["items"] as? [Any]) else {
            document.report(line: 0, field: "document", "expected {\"items\": [...]} or an array of items")
            return document
        }
        let known = Set(csvColumns)
        for (index, element) in items.enumerated() {
            let line = index + 1
            guard let item = element as? [String: Any] else {
                document.report(line: line, field: "item", "must be an object")
                continue
            }
            var valid = true
            for field in item.keys.sorted() where !known.contains(field) {
                document.report(line: line, field: field, "unknown field")
                valid = false
            }
            func string(_ field: String, required: Bool) -> String? {
                if let text = item[field] as? String { return text }
                if !required && (item[field] == nil || item[field] is NSNull) { return nil }
                document.report(line: line, field: field, required ? "is required and must be a string" : "must be a string")
                valid = false
                return nil
            }
            let key = string("key", required: true)
            let name = string("name", required: true)
            let ciClass = string("class", required: true)
            let site = string("site", required: false)
            var attributes: [String: String] = [:]
            if let raw = item["attributes"], !(raw is NSNull) {
                if let object = raw as? [String: String] {
                    attributes = object
                } else {
                    document.report(line: line, field: "attributes", "must be an object with string values")
                    valid = false
                }
            }
            var related: [CIRelationshipKind: [String]] = [:]
            for kind in CIRelationshipKind.allCases {
                guard let raw = item[kind.rawValue], !(raw is NSNull) else { continue }
                if let keys = raw as? [String] {
                    related[kind] = keys
                } else {
                    document.report(line: line, field: kind.rawValue, "must be an array of CI keys")
                    valid = false
                }
            }
            guard valid, let key, let name, let ciClass else { continue }
            document.add(line: line, key: key, name: name, ciClass: ciClass, site: site, attributes: attributes, related: related)
        }
        return document
    }
}
