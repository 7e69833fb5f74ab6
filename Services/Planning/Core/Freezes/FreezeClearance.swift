/// Why a deployment may go ahead; a refusal is thrown as a `CommandError` instead.
public enum FreezeClearance: Sendable, Hashable {
    /// No blackout applies.
    case clear
    /// Blackouts apply and a release manager overrode them: record the override and the
    /// conflicts in the audit trail in the same transaction as the decision.
    case overridden(FreezeOverride, conflicts: [FreezeOccurrence])
}
