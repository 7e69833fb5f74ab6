import Contracts
import Foundation
import Postgres

extension CIRepository {
    /// Decodes `key, name, class, site, attributes` into a CI.
    static func decodeItem(_ row: PostgresRow) throws -> ConfigurationItem {
        let (key, name, ciClass, site, attributes) = try row.decode(
            (String, String, String, String?, PostgresJSON<[String: String]>).self)
        guard let parsedClass = CIClass(knownRawValue: ciClass) else {
            throw CIRepositoryError.invalidItem(field: "class", reason: "stored value is not a known class")
        }
        return ConfigurationItem(key: key, name: name, ciClass: parsedClass, site: site, attributes: attributes.value)
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
