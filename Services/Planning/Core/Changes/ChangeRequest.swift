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
        if externalID.isEmpty || externalID.count > 64 || externalID.contains(where: { $0.isWhitespace || $0.isNewline }) {
            fields["externalID"] = "must be 1 to 64 characters without spaces"
        }
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 200 {
            fields["title"] = "must be 1 to 200 characters"
        }
        if affectedCIs.contains(where: \.isEmpty) {
            fields["affectedCIs"] = "must not contain empty keys"
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
}
