import Contracts
import Foundation
import Postgres

extension CIRepository {
    /// Decodes `key, name, class, site, attributes` into a CI.
    static func decodeItem(_ row: PostgresRow) throws -> ConfigurationItem {
        let (key, name, ciClass, site, attributesText) = try row.decode((String, String, String, String?, String).self)
        guard let parsedClass = CIClass(knownRawValue: ciClass) else {
            throw CIRepositoryError.invalidItem(field: "class", reason: "stored value is not a known class")
        }
        return ConfigurationItem(key: key, name: name, ciClass: parsedClass, site: site, attributes: try decodeAttributes(attributesText))
    }

    /// The attributes object. Most CIs have none, and jsonb prints an empty object as `{}`
    /// exactly: that case skips JSONDecoder, which costs microseconds a row and showed up in
    /// impact sets of tens of thousands of CIs.
    private static func decodeAttributes(_ text: String) throws -> [String: String] {
        if text == "{}" { return [:] }
        do {
            return try PostgresJSON<[String: String]>.decode(postgresText: text, type: .jsonb).value
        } catch {
            throw CIRepositoryError.invalidItem(field: "attributes", reason: "stored value is not an object of strings")
        }
    }

    /// A PostgreSQL `text[]` input literal for `values`, sent as one bound parameter (cast
    /// with `::text[]` in SQL). Every element is double-quoted with `"` and `\` escaped, so
    /// any string survives intact; nothing here reaches the SQL text.
    static func textArray(_ values: [String]) -> String {
        let elements = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + elements.joined(separator: ",") + "}"
    }
}
