import Contracts

/// The approval gates every release of a type must have, whatever its template says:
/// templates (the `default` one included) and the service's built-in gates can only add to
/// them. A gate the policy adds is decided by `group` with one approval; a gate a template
/// already defines on that phase stays as the template defines it.
///
/// Standard: every type has a review gate before close; `major` and `emergency` releases also
/// need the initiate gate (authorization) and the deploy gate.
public struct GatePolicy: Sendable, Equatable {
    /// Phases that must have a gate, by release type (types not listed: `everyType` only).
    public var phases: [ReleaseType: Set<ReleasePhase>]
    /// Phases every type must have a gate on.
    public var everyType: Set<ReleasePhase>
    /// The approver group of the gates the policy adds.
    public var group: String

    public init(phases: [ReleaseType: Set<ReleasePhase>], everyType: Set<ReleasePhase>, group: String) {
        self.phases = phases
        self.everyType = everyType
        self.group = group
    }

    public static let standard = GatePolicy(
        phases: [.major: [.initiate, .deploy], .emergency: [.initiate, .deploy]], everyType: [.review],
        group: "release-approvers")

    /// The phases a release of `type` must have a gate on.
    public func requiredPhases(for type: ReleaseType) -> Set<ReleasePhase> {
        everyType.union(phases[type] ?? [])
    }

    /// `gates` with a gate added on every required phase that has none.
    public func gates(for type: ReleaseType, adding gates: [ReleasePhase: ApprovalGate]) -> [ReleasePhase: ApprovalGate] {
        var result = gates
        for phase in requiredPhases(for: type) where result[phase] == nil {
            result[phase] = ApprovalGate(approverGroup: group, requiredApprovals: 1)
        }
        return result
    }

    /// The gates of `gates` that `eligible` (members per group who may decide) cannot pass:
    /// more approvals asked than eligible members. Keyed `gates.<phase>`, naming the group.
    public static func unreachable(
        _ gates: [ReleasePhase: ApprovalGate], eligible: [String: Int]
    ) -> [String: String] {
        var fields: [String: String] = [:]
        for (phase, gate) in gates {
            let count = eligible[gate.approverGroup] ?? 0
            if count < gate.requiredApprovals {
                fields["gates.\(phase.rawValue)"] =
                    "needs \(gate.requiredApprovals) approval(s) from \(gate.approverGroup), which has \(count) eligible member(s)"
            }
        }
        return fields
    }
}
