import Contracts

/// A release manager's decision to deploy inside a blackout, with the reason that goes into
/// the audit trail. Valid by construction: the reason is required, so an override without
/// one cannot be written down, let alone accepted.
public struct FreezeOverride: Sendable, Hashable {
    /// Who overrides; whether they may is decided by ``FreezeCheck`` from their role.
    public let actor: String
    /// Trimmed of surrounding white space; 1 to ``maximumReasonLength`` characters.
    public let reason: String

    /// The longest reason, in characters.
    public static let maximumReasonLength = 500

    /// Throws `configuration.person_format` for a bad actor and `freezes.override_reason`
    /// (validation, field `reason`) for a missing, too long or control-character reason.
    public init(actor: String, reason: String) throws(CommandError) {
        try ConfigurationNames.requirePerson(actor, field: "actor")
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= Self.maximumReasonLength,
              CIFieldRules.controlProblem(trimmed, allowingLineBreaks: false) == nil
        else {
            throw CommandError(
                .validation, "overriding a freeze needs a reason", rule: "freezes.override_reason",
                fields: ["reason": "must be 1 to \(Self.maximumReasonLength) characters without control characters"])
        }
        self.actor = actor
        self.reason = trimmed
    }
}
