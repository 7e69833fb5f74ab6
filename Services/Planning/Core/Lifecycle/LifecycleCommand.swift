/// A lifecycle command as a value, so a handler (or a test) can dispatch any of them
/// through `ReleaseLifecycle.apply(_:to:by:at:)`.
public enum LifecycleCommand: Sendable, Equatable {
    case submit
    /// `approverGroups`: the actor's groups, or nil when the caller checked membership itself.
    case approve(comment: String?, approverGroups: Set<String>? = nil)
    case reject(reason: String, approverGroups: Set<String>? = nil)
    /// `exitCriteria` are the evaluated criteria of the current phase.
    case advance(exitCriteria: [ExitCriterionResult])
    case hold(reason: String?)
    case resume
    case cancel(reason: String?)
    /// `exitCriteria` are the evaluated criteria of `review`.
    case close(exitCriteria: [ExitCriterionResult])
    /// Set by rollout when a deployment failed and was backed out.
    case backOut(reason: String)
}

extension LifecycleCommand {
    /// What the person wrote with the command (comment or reason), for its audit entry.
    public var auditNotes: [String: String] {
        switch self {
        case .approve(let comment, _): comment.map { ["comment": $0] } ?? [:]
        case .reject(let reason, _), .backOut(let reason): ["reason": reason]
        case .hold(let reason), .cancel(let reason): reason.map { ["reason": $0] } ?? [:]
        case .submit, .advance, .resume, .close: [:]
        }
    }
}
