import Foundation

/// How planning compares and stores the people it names — command actors, requesters,
/// coordinators, approver group members: trimmed and lower-cased, so `dave`, `Dave` and
/// ` dave ` are one person everywhere (segregation of duties, group membership, approvals,
/// the audit trail). Validation (`ConfigurationNames.requirePerson`) comes first; this only
/// brings a valid name to its one stored form.
public enum PersonID {
    public static func normalized(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
