import Contracts

/// An approved change request from change management, added to a release.
public struct ChangeRequest: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case draft, submitted, approved, rejected, implemented, closed
    }

    public enum Risk: String, Codable, Sendable, CaseIterable {
        case low, medium, high, critical
    }

    /// The id in the change management system, e.g. `CHG0031337`.
    public var externalID: String
    public var title: String
    public var status: Status
    public var risk: Risk
    /// Keys of the configuration items the change touches.
    public var affectedCIs: [String]

    public init(externalID: String, title: String, status: Status, risk: Risk, affectedCIs: [String]) {
        self.externalID = externalID
        self.title = title
        self.status = status
        self.risk = risk
        self.affectedCIs = affectedCIs
    }

    /// Checks the change may be added to a release: well-formed, and approved.
    public func validateForRelease() throws(CommandError) {
        var fields: [String: String] = [:]
        fields["externalID"] = Self.externalIDProblem(externalID)
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 200 {
            fields["title"] = "must be 1 to 200 characters"
        } else if let problem = CIFieldRules.controlProblem(title, allowingLineBreaks: false) {
            fields["title"] = problem
        }
        // By position, not value: a key that is not one may hold anything.
        let badKeys = affectedCIs.indices.filter { !ConfigurationItem.isValidKey(affectedCIs[$0]) }
        if !badKeys.isEmpty {
            fields["affectedCIs"] = "entries \(badKeys.prefix(10).map(String.init).joined(separator: ", ")) are not CI keys like CI-APP-0001"
        }
        if !fields.isEmpty {
            throw CommandError(.validation, "the change request is malformed", rule: "changes.well_formed", fields: fields)
        }
        guard status == .approved else {
            throw CommandError(
                .validation, "change \(externalID) is '\(status.rawValue)'; only approved changes can be added to a release",
                rule: "changes.only_approved", fields: ["status": "must be approved"])
        }
    }

    /// What is wrong with a change id (also the id `remove_change` names): 1 to 64 characters,
    /// none of them a space or a control character.
    public static func externalIDProblem(_ id: String) -> String? {
        let bad = id.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        return id.isEmpty || id.count > 64 || bad ? "must be 1 to 64 characters without spaces or control characters" : nil
    }
}
