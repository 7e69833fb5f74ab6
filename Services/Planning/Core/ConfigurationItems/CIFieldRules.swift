import Contracts

/// The rules for the user-typed fields of a CI, shared by the CI commands and imports so
/// both refuse the same input. Each check returns what is wrong, or nil.
///
/// Keys follow ``ConfigurationItem/isValidKey(_:)`` (ASCII `CI-<2-12 of A-Z0-9>-<4-8 digits>`,
/// at most 24 characters). Free text may hold any Unicode, quotes and backslashes (values
/// are bound parameters), but no control characters: they are invisible in every view, and
/// PostgreSQL cannot store NUL. CSV imports keep line breaks inside quoted names, which the
/// CSV format allows; commands refuse them. A class, relationship kind or import format that a
/// newer sender added and this version does not know is refused, never replaced by a default.
public enum CIFieldRules {
    /// The most attributes one CI may carry.
    public static let maxAttributes = 50
    /// The longest attribute value, in characters.
    public static let maxAttributeValueLength = 1_000

    /// What is wrong with a CI key.
    public static func keyProblem(_ key: String) -> String? {
        ConfigurationItem.isValidKey(key)
            ? nil : "'\(key.prefix(40))' is not a CI key like CI-APP-0001 (CI-<2-12 of A-Z0-9>-<4-8 digits>)"
    }

    /// What is wrong with a (trimmed) name: 1 to 200 characters, no control characters.
    public static func nameProblem(_ name: String, allowingLineBreaks: Bool = false) -> String? {
        if name.isEmpty || name.count > 200 { return "must be 1 to 200 characters" }
        return controlProblem(name, allowingLineBreaks: allowingLineBreaks)
    }

    /// What is wrong with a CI class: one this version does not know.
    public static func classProblem(_ ciClass: CIClass) -> String? {
        ciClass.knownValueProblem
    }

    /// What is wrong with a relationship, by field (`source`, `kind`, `target`): keys that are
    /// not CI keys, a kind this version does not know, a CI related to itself.
    public static func relationshipProblems(_ relationship: CIRelationship) -> [String: String] {
        var fields: [String: String] = [:]
        fields["source"] = keyProblem(relationship.source)
        fields["target"] = keyProblem(relationship.target)
        fields["kind"] = relationship.kind.knownValueProblem
        if fields["source"] == nil && fields["target"] == nil && relationship.source == relationship.target {
            fields["target"] = "must differ from source"
        }
        return fields
    }

    /// What is wrong with a site: 1 to 100 characters when given, no control characters.
    public static func siteProblem(_ site: String?) -> String? {
        guard let site else { return nil }
        if site.isEmpty || site.count > 100 { return "must be 1 to 100 characters when given" }
        return controlProblem(site, allowingLineBreaks: false)
    }

    /// What is wrong with attributes: at most 50; names `[A-Za-z0-9_.-]{1,64}`; values up to
    /// 1,000 characters without control characters.
    public static func attributesProblem(_ attributes: [String: String]) -> String? {
        if attributes.count > maxAttributes { return "must have at most \(maxAttributes) entries" }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            let nameIsValid = (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "_.-".utf8.contains(byte)
            }
            if !nameIsValid { return "name '\(name.prefix(40))' must be 1 to 64 of A-Z a-z 0-9 _ . -" }
            if value.count > maxAttributeValueLength {
                return "value of '\(name)' must be at most \(maxAttributeValueLength) characters"
            }
            if let problem = controlProblem(value, allowingLineBreaks: false) { return "value of '\(name)' \(problem)" }
        }
        return nil
    }

    /// Refuses control characters (Unicode category Cc), optionally except CR, LF and tab.
    static func controlProblem(_ text: String, allowingLineBreaks: Bool) -> String? {
        let allowed: Set<Unicode.Scalar> = allowingLineBreaks ? ["\n", "\r", "\t"] : []
        let bad = text.unicodeScalars.contains { $0.properties.generalCategory == .control && !allowed.contains($0) }
        return bad ? "must not contain control characters" : nil
    }
}
