import Contracts
import Postgres

/// Each group's assignment policy and where its round-robin turn stands (table
/// `<schema>.group_assignment`, migration 0014). A group without a row is round robin from
/// its first member. The choice itself is ``TaskAssignment``'s; this only stores.
public struct GroupAssignments: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// The policy `text` names, or a validation error.
    static func policy(_ text: String) throws(CommandError) -> AssignmentPolicy {
        guard let policy = AssignmentPolicy(rawValue: text) else {
            throw CommandError(.validation, "policy must be round_robin or least_loaded", rule: "groups.assignment_policy",
                               fields: ["policy": "unknown"])
        }
        return policy
    }

    /// Sets `group`'s policy; its turn carries on where it stood.
    public func setPolicy(_ policy: AssignmentPolicy, for group: String, in transaction: PostgresTransaction) async throws {
        try ConfigurationNames.require(group, field: "group")
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).group_assignment (group_name, policy) VALUES (\(group), \(policy.rawValue))
            ON CONFLICT (group_name) DO UPDATE SET policy = excluded.policy, updated_at = now()
            """, label: "set assignment policy")
    }

    /// `group`'s policy (round robin when never set).
    public func policy(of group: String, in transaction: PostgresTransaction) async throws -> AssignmentPolicy {
        let rows = try await transaction.query(
            "SELECT policy FROM \(identifier: schema).group_assignment WHERE group_name = \(group)", label: "assignment policy")
        guard let text = try rows.first?.decode(at: 0, as: String.self) else { return .roundRobin }
        return try Self.policy(text)
    }

    /// Locks `group`'s turn until the transaction ends (creating its row), so releases assigning
    /// for one group at once take turns; returns the policy and who got the last task.
    func lockTurn(of group: String, in transaction: PostgresTransaction) async throws -> (policy: AssignmentPolicy, lastAssigned: String?) {
        let row = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).group_assignment (group_name) VALUES (\(group))
            ON CONFLICT (group_name) DO UPDATE SET group_name = excluded.group_name
            RETURNING policy, last_assigned
            """, label: "lock assignment turn").single()
        return (try Self.policy(try row.decode(at: 0, as: String.self)), try row.decode(at: 1, as: String?.self))
    }

    func recordTurn(of group: String, lastAssigned: String?, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            UPDATE \(identifier: schema).group_assignment SET last_assigned = \(lastAssigned), updated_at = now()
            WHERE group_name = \(group)
            """, label: "record assignment turn")
    }

    /// Open (ready or in progress) tasks per member, across every release.
    func openTasks(of members: [String], in transaction: PostgresTransaction) async throws -> [String: Int] {
        let rows = try await transaction.query(
            """
            SELECT assignee, count(*) FROM \(identifier: schema).work_plan_tasks
            WHERE state IN ('ready', 'in_progress') AND assignee = ANY (\(bind: PostgresArrayBind.texts(members)))
            GROUP BY assignee
            """, label: "open tasks per member")
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(at: 0, as: String.self), try $0.decode(at: 1, as: Int.self)) })
    }
}
