import Contracts
import Foundation

/// The CIs and relationships of one import, validated as far as the input alone allows.
///
/// Built by ``parseCSV(_:)`` or ``parseJSON(_:)``; ``CIRepository`` then adds the checks
/// that need the database (references to keys neither in the file nor stored) and imports
/// the document only when ``issues`` stays empty.
public struct CIImportDocument: Sendable, Hashable {
    /// A relationship with the place in the input it came from.
    public struct Reference: Sendable, Hashable {
        /// The line (CSV) or item position (JSON) that declared it.
        public let line: Int
        /// The relationship.
        public let relationship: CIRelationship
    }

    /// Valid items, in input order.
    public internal(set) var items: [ConfigurationItem] = []
    /// Relationships whose both keys are well-formed, in input order.
    public internal(set) var references: [Reference] = []
    /// Every problem found in the input, in input order.
    public internal(set) var issues: [CIImportError.Issue] = []

    /// The relationships, without their lines.
    public var relationships: [CIRelationship] { references.map(\.relationship) }

    /// Parses `content` in `format`. A format this version does not read (a newer sender's)
    /// is refused as `cis.import_format` naming the field `format`, never guessed.
    public static func parse(_ content: String, format: CIImportFormat) throws(CommandError) -> CIImportDocument {
        switch format {
        case .csv: parseCSV(content)
        case .json: parseJSON(Data(content.utf8))
        case .unknown:
            throw CommandError(
                .validation, "the import format is not one this service reads", rule: "cis.import_format",
                fields: ["format": CIImportFormat.knownValueRule])
        }
    }

    /// Validates one record and keeps it (or its problems).
    ///
    /// - Parameter related: target keys per relationship kind, from this item as source.
    mutating func add(
        line: Int, key: String, name: String, ciClass: String, site: String?,
        attributes: [String: String], related: [CIRelationshipKind: [String]]
    ) {
        let before = issues.count
        func issue(_ field: String, _ message: String) {
            issues.append(.init(line: line, field: field, message: message))
        }
        if let problem = CIFieldRules.keyProblem(key) {
            issue("key", problem)
        } else if let first = keyLines[key] {
            issue("key", "\(key) is already defined on line \(first)")
        } else {
            keyLines[key] = line
        }
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        if let problem = CIFieldRules.nameProblem(trimmedName, allowingLineBreaks: true) { issue("name", problem) }
        let parsedClass = CIClass(knownRawValue: ciClass.lowercased())
        if parsedClass == nil {
            issue("class", "'\(ciClass.prefix(40))' is not one of \(CIClass.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let problem = CIFieldRules.siteProblem(site) { issue("site", problem) }
        if let problem = CIFieldRules.attributesProblem(attributes) { issue("attributes", problem) }
        for kind in CIRelationshipKind.allCases {
            for target in related[kind] ?? [] {
                if !ConfigurationItem.isValidKey(target) {
                    issue(kind.rawValue, "'\(target.prefix(40))' is not a CI key")
                } else if target == key {
                    issue(kind.rawValue, "\(key) cannot relate to itself")
                } else {
                    references.append(.init(line: line, relationship: .init(source: key, target: target, kind: kind)))
                }
            }
        }
        guard issues.count == before, let parsedClass else { return }
        items.append(ConfigurationItem(key: key, name: trimmedName, ciClass: parsedClass, site: site, attributes: attributes))
    }

    /// Records a problem that is not tied to one valid record.
    mutating func report(line: Int, field: String, _ message: String) {
        issues.append(.init(line: line, field: field, message: message))
    }

    /// The line each key in the input was defined on.
    var keyLines: [String: Int] = [:]
}
