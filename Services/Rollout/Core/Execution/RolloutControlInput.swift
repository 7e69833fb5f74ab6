import Contracts

/// The fields of an operator's action, checked by the gateway before it is sent and by
/// shipboard-rollout again when it arrives: the targets it names (only retry, skip and
/// exclude name any, 1 to ``maxTargets`` short keys) and the reason (required for abort,
/// skip and exclude). Whether the action fits the rollout's state is ``RolloutControl``'s.
public enum RolloutControlInput {
    public static let maxTargets = 1_000
    public static let maxReason = 1_000

    public static func check(_ command: ControlRollout) throws(CommandError) {
        if case .unknown(let name) = command.action {
            throw CommandError(.validation, "\(name) is not a rollout action", rule: "rollout.action", fields: ["action": "is unknown"])
        }
        let targets = command.targets ?? []
        if command.action.needsTargets {
            guard (1...maxTargets).contains(targets.count) else {
                throw CommandError(
                    .validation, "\(command.action.rawValue) names 1 to \(maxTargets) targets", rule: "rollout.targets",
                    fields: ["targets": "must list 1 to \(maxTargets) task keys or target CI keys"])
            }
            for (index, target) in targets.enumerated() {
                try ShortText.check(target, field: "targets/\(index)", max: 120, rule: "rollout.targets")
            }
        } else if !targets.isEmpty {
            throw CommandError(
                .validation, "\(command.action.rawValue) acts on the whole rollout and names no targets", rule: "rollout.targets",
                fields: ["targets": "must be left out for \(command.action.rawValue)"])
        }
        if let reason = command.reason {
            try ShortText.check(reason, field: "reason", max: maxReason, rule: "rollout.reason")
        } else if needsReason(command.action) {
            throw CommandError(
                .validation, "\(command.action.rawValue) needs a reason", rule: "rollout.reason", fields: ["reason": "is required"])
        }
    }

    /// Actions recorded with why: stopping a rollout, and leaving a target out of it.
    public static func needsReason(_ action: RolloutControlAction) -> Bool {
        action == .abort || action == .skip || action == .exclude
    }
}
