import Contracts
import Postgres

/// The directory of approver groups (table `<schema>.approver_group_members`): who may
/// decide at a gate that names a group. A group exists while it has members. Members are
/// stored and looked up normalised (`PersonID`): `Dave` and `dave` are one member.
public struct ApproverGroups: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Adds `member` to `group`; adding an existing member is a conflict.
    public func add(_ member: String, to group: String, by actor: String, in transaction: PostgresTransaction) async throws {
        try ConfigurationNames.require(group, field: "group")
        try ConfigurationNames.requirePerson(member, field: "member")
        let member = PersonID.normalized(member)
        let inserted = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).approver_group_members (group_name, member, added_by)
            VALUES (\(group), \(member), \(actor)) ON CONFLICT DO NOTHING
            """, label: "add approver")
        guard inserted.affectedRows == 1 else {
            throw CommandError(.conflict, "\(member) is already in \(group)", rule: "approvers.unique")
        }
    }

    /// Removes `member` from `group`; an absent member is not found.
    public func remove(_ member: String, from group: String, in transaction: PostgresTransaction) async throws {
        let member = PersonID.normalized(member)
        let deleted = try await transaction.query(
            "DELETE FROM \(identifier: schema).approver_group_members WHERE group_name = \(group) AND member = \(member)",
            label: "remove approver")
        guard deleted.affectedRows == 1 else {
            throw CommandError(.notFound, "\(member) is not in \(group)", rule: "approvers.exists")
        }
    }

    /// The members of `group`, sorted.
    public func members(of group: String, in transaction: PostgresTransaction) async throws -> [String] {
        let rows = try await transaction.query(
            "SELECT member FROM \(identifier: schema).approver_group_members WHERE group_name = \(group) ORDER BY member",
            label: "group members")
        return try rows.map { try $0.decode(at: 0, as: String.self) }
    }

    /// The groups `member` belongs to.
    public func groups(of member: String, in transaction: PostgresTransaction) async throws -> Set<String> {
        let member = PersonID.normalized(member)
        let rows = try await transaction.query(
            "SELECT group_name FROM \(identifier: schema).approver_group_members WHERE member = \(member)",
            label: "member groups")
        return Set(try rows.map { try $0.decode(at: 0, as: String.self) })
    }
}
