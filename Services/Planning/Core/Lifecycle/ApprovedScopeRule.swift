import Contracts

/// Approvals belong to what was approved. While the current phase's gate holds approvals, the
/// scope (adding or removing a change) cannot change, nor can impact, urgency or risk be
/// raised or the schedule moved: the command is refused (`approval.approved_scope`) until the
/// release moves on to its next phase (whose gate decides on the release as it is then), or
/// is rejected or cancelled. Lowering impact, urgency or risk is allowed.
///
/// Refusing rather than resetting the approvals: a reset would take an authorized release
/// back to pending approval behind its approvers' backs, and an approver who saw one scope
/// would still appear in the history of another; a refusal makes the change visible and
/// leaves the decision with the people who made it.
public enum ApprovedScopeRule {
    /// Throws when the current gate has approvals and `changing` (field names) is not empty.
    public static func require(_ state: ReleaseState, unchangedWhileApproved changing: [String]) throws(CommandError) {
        guard !changing.isEmpty,
              state.approvals.contains(where: { $0.verdict == .approved && $0.phase == state.phase })
        else { return }
        throw CommandError(
            .conflict,
            "\(state.key) was approved at its \(state.phase.rawValue) gate as it is; \(changing.joined(separator: ", ")) cannot change until it moves on",
            rule: "approval.approved_scope",
            fields: Dictionary(uniqueKeysWithValues: changing.map { ($0, "approved as it is at the \(state.phase.rawValue) gate") }))
    }

    /// Whether `new` is more severe than the stored `old` (an unknown stored word counts as raised).
    public static func raises(impact old: String, to new: Impact?) -> Bool {
        raises(old, new?.rawValue, ["low", "medium", "high"])
    }

    public static func raises(urgency old: String, to new: Urgency?) -> Bool {
        raises(old, new?.rawValue, ["low", "medium", "high"])
    }

    public static func raises(risk old: String, to new: ReleaseRisk?) -> Bool {
        raises(old, new?.rawValue, ["low", "medium", "high", "critical"])
    }

    /// `order` lists the words from least to most severe.
    private static func raises(_ old: String, _ new: String?, _ order: [String]) -> Bool {
        guard let new else { return false }
        return (order.firstIndex(of: old) ?? -1) < (order.firstIndex(of: new) ?? -1)
    }
}
