import Contracts
import Foundation
import Postgres

/// A release template as listed: its current version, retired or not.
public struct ReleaseTemplateListing: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var retired: Bool
    public var type: String
    public var description: String
    public var impact: String?
    public var urgency: String?
    public var risk: String?
    public var jobPlanName: String?
    public var gates: [ReleasePhase: ApprovalGate]
}

/// Read-only queries over planning's configuration (templates, approver groups, exit-criterion
/// settings) for the gateway. Approver groups live here only: the gateway shows and changes
/// them, through planning's commands, but keeps no list of its own.
public struct ConfigurationQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    public func templates() async throws -> [ReleaseTemplateListing] {
        let rows = try await pool.query(
            """
            SELECT name, version, retired, type, description, impact, urgency, risk, job_plan_name, gates::text
            FROM \(identifier: schema).release_templates ORDER BY name
            """)
        return try rows.map { row in
            ReleaseTemplateListing(
                name: try row.decode("name", as: String.self), version: try row.decode("version", as: Int.self),
                retired: try row.decode("retired", as: Bool.self), type: try row.decode("type", as: String.self),
                description: try row.decode("description", as: String.self),
                impact: try row.decode("impact", as: String?.self), urgency: try row.decode("urgency", as: String?.self),
                risk: try row.decode("risk", as: String?.self), jobPlanName: try row.decode("job_plan_name", as: String?.self),
                gates: try ContractCoding.decode(
                    [ReleasePhase: ApprovalGate].self, from: Data(try row.decode("gates", as: String.self).utf8)))
        }
    }

    /// Every approver group with its members, sorted.
    public func approverGroups() async throws -> [ApproverGroupSummary] {
        let rows = try await pool.query(
            "SELECT group_name, member FROM \(identifier: schema).approver_group_members ORDER BY group_name, member")
        var groups: [ApproverGroupSummary] = []
        for row in rows {
            let (group, member) = try row.decode((String, String).self)
            if groups.last?.group == group { groups[groups.count - 1].members.append(member) } else {
                groups.append(ApproverGroupSummary(group: group, members: [member]))
            }
        }
        return groups
    }

    /// The approver groups `person` belongs to (normalised like every stored member).
    public func groups(of person: String) async throws -> Set<String> {
        let rows = try await pool.query(
            "SELECT group_name FROM \(identifier: schema).approver_group_members WHERE member = \(PersonID.normalized(person))")
        return Set(try rows.map { try $0.decode(at: 0, as: String.self) })
    }

    /// Configured severities by phase (criteria left at their defaults are not listed).
    public func exitCriteria() async throws -> [ExitCriteriaSummary] {
        let rows = try await pool.query(
            "SELECT phase, criterion, severity FROM \(identifier: schema).exit_criteria_settings ORDER BY phase, criterion")
        var byPhase: [ReleasePhase: [String: String]] = [:]
        for row in rows {
            let (phase, criterion, severity) = try row.decode((String, String, String).self)
            byPhase[ReleasePhase(rawValue: phase), default: [:]][criterion] = severity
        }
        return ReleasePhase.allCases.compactMap { phase in byPhase[phase].map { ExitCriteriaSummary(phase: phase, criteria: $0) } }
    }
}
