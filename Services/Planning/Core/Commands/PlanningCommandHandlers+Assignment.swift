import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    /// Gives each task of `keys` that awaits a group assignment (``WorkPlan/awaitingGroupAssignment(_:)``)
    /// a member of its group, chosen by ``TaskAssignment`` under the group's policy; returns
    /// task → member. A group without members assigns nothing: its task stays claimable by
    /// whichever member starts it. Groups are locked in name order (after the release, as
    /// every command locks), so two releases assigning for the same groups cannot deadlock.
    func assignGroupTasks(_ keys: [String], in plan: inout WorkPlan, _ transaction: PostgresTransaction) async throws -> [String: String] {
        let waiting = plan.awaitingGroupAssignment(keys)
        guard !waiting.isEmpty else { return [:] }
        let turns = GroupAssignments(schema: schema)
        let directory = ApproverGroups(schema: schema)
        var assigned: [String: String] = [:]
        for group in Set(waiting.map(\.group)).sorted() {
            let members = try await directory.members(of: group, in: transaction)
            guard !members.isEmpty else { continue }
            var (policy, last) = try await turns.lockTurn(of: group, in: transaction)
            var load = policy == .leastLoaded ? try await turns.openTasks(of: members, in: transaction) : [:]
            for task in waiting where task.group == group {
                guard let member = TaskAssignment.choose(from: members, policy: policy, lastAssigned: last, openTasks: load) else { break }
                try plan.assign(task.key, to: member)
                assigned[task.key] = member
                last = member
                load[member, default: 0] += 1
            }
            try await turns.recordTurn(of: group, lastAssigned: last, in: transaction)
        }
        return assigned
    }

    /// `task=member,…` in task order, for an audit entry's details.
    static func assignmentDetail(_ assigned: [String: String]) -> String {
        assigned.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
