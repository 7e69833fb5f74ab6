import Foundation
import Contracts

/// Names people give to templates and approver groups: lower-case letters, digits, `_`,
/// `.`, `-`, starting with a letter or digit, at most 64 characters (the tables check the same).
public enum ConfigurationNames {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return allowed(first) && name.unicodeScalars.allSatisfy { allowed($0) || "_.-".unicodeScalars.contains($0) }
    }

    /// Throws a validation error naming `field` when `name` is not a valid configuration name.
    static func require(_ name: String, field: String) throws(CommandError) {
        guard isValid(name) else {
            throw CommandError(
                .validation, "\(field) must be 1 to 64 lower-case letters, digits, '_', '.' or '-'",
                rule: "configuration.name_format", fields: [field: "invalid name"])
        }
    }

    /// A person's name as an actor or member: 1 to 200 characters, no control characters.
    public static func requirePerson(_ person: String, field: String) throws(CommandError) {
        let trimmed = person.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, person.count <= 200, trimmed == person,
              !person.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CommandError(
                .validation, "\(field) must be 1 to 200 characters without control characters or surrounding spaces",
                rule: "configuration.person_format", fields: [field: "invalid"])
        }
    }
}
