import Contracts

/// How a group's task gets its assignee: in turn (`roundRobin`), or to the member with the
/// fewest open tasks (`leastLoaded`, ties in turn order). Configured per group.
public enum AssignmentPolicy: String, Sendable, CaseIterable, Codable {
    case roundRobin = "round_robin"
    case leastLoaded = "least_loaded"
}

public enum TaskAssignment {
    /// The member who gets the next task, or nil for a group without members.
    /// - Parameters:
    ///   - members: the group's members (any order; turn order is by normalized name);
    ///   - lastAssigned: who got the group's previous task (round robin continues after them);
    ///   - openTasks: open (not final) tasks per member, for `leastLoaded`.
    public static func choose(
        from members: [String], policy: AssignmentPolicy, lastAssigned: String?, openTasks: [String: Int]
    ) -> String? {
        let turn = Array(Set(members.map(PersonID.normalized))).sorted()
        guard !turn.isEmpty else { return nil }
        // Round robin: the first member after the last one assigned (wrapping around).
        let start = lastAssigned.map(PersonID.normalized).flatMap { last in turn.firstIndex { $0 > last } } ?? 0
        let rotated = Array(turn[start...] + turn[..<start])
        switch policy {
        case .roundRobin:
            return rotated.first
        case .leastLoaded:
            let load = Dictionary(openTasks.map { (PersonID.normalized($0.key), $0.value) }, uniquingKeysWith: +)
            return rotated.min { load[$0, default: 0] < load[$1, default: 0] }
        }
    }
}

extension WorkPlan {
    /// Of `keys` (tasks that just became ready), those a group's policy gives an assignee, in
    /// plan order with their groups: ready, owned by a group, worked by people (a service
    /// carries out an automated or rollout task) and without an assignee yet.
    public func awaitingGroupAssignment(_ keys: [String]) -> [(key: String, group: String)] {
        let wanted = Set(keys)
        return tasks.compactMap { task in
            guard wanted.contains(task.key), task.state == .ready, task.kind != .automated, task.kind != .rollout, task.assignee == nil,
                  case .group(let group) = task.owner
            else { return nil }
            return (task.key, group)
        }
    }

    /// Gives task `key` to `member` of its group, chosen by ``TaskAssignment``.
    public mutating func assign(_ key: String, to member: String) throws(CommandError) {
        let position = try position(of: key)
        update(at: position) { $0.assignee = PersonID.normalized(member) }
    }
}
