import Contracts
import Foundation

/// The rules for the fields people type into a release, shared by create and update.
/// Every problem is collected, so one refusal names every field that is wrong.
struct ReleaseFieldRules {
    private(set) var fields: [String: String] = [:]

    mutating func title(_ title: String?) {
        guard let title else { return }
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 200 || Self.hasControlCharacters(trimmed, allowingNewlines: false) {
            fields["title"] = "must be 1 to 200 characters without control characters"
        }
    }

    mutating func text(_ value: String?, field: String, limit: Int = 10_000) {
        guard let value else { return }
        if value.count > limit || Self.hasControlCharacters(value, allowingNewlines: true) {
            fields[field] = "must be at most \(limit) characters without control characters"
        }
    }

    mutating func person(_ value: String?, field: String) {
        guard let value else { return }
        do { try ConfigurationNames.requirePerson(value, field: field) } catch { fields[field] = "must be 1 to 200 characters without control characters or surrounding spaces" }
    }

    mutating func name(_ value: String?, field: String) {
        guard let value else { return }
        if !ConfigurationNames.isValid(value) { fields[field] = "must be 1 to 64 lower-case letters, digits, '_', '.' or '-'" }
    }

    /// A value of the shared language (type, impact, urgency, risk): one a newer sender added
    /// that this version does not know is refused, never replaced by a default.
    mutating func known<Value: ContractEnum>(_ value: Value?, field: String) {
        guard let problem = value?.knownValueProblem else { return }
        fields[field] = problem
    }

    /// Records what another rule found wrong with `field`, if anything.
    mutating func problem(_ problem: String?, field: String) {
        if let problem { fields[field] = problem }
    }

    mutating func schedule(start: Date?, end: Date?) {
        if let start, let end, end < start { fields["scheduledEnd"] = "must not be before scheduledStart" }
    }

    /// Throws one validation error naming every bad field, if there is any.
    func check(_ message: String) throws(CommandError) {
        guard fields.isEmpty else {
            throw CommandError(.validation, message, rule: "releases.well_formed", fields: fields)
        }
    }

    private static func hasControlCharacters(_ text: String, allowingNewlines: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && !(allowingNewlines && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
        }
    }
}
