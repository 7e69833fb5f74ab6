import Contracts
import Foundation
import Postgres

/// Stored release templates (table `<schema>.release_templates`). Defining a template
/// again replaces its presets and raises its version; a retired template cannot be used
/// for new releases. Releases keep their own copy of what a template preset.
public struct ReleaseTemplates: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Creates or replaces `template`; returns its version.
    public func define(_ template: ReleaseTemplate, by actor: String, in transaction: PostgresTransaction) async throws -> Int {
        try Self.validate(template)
        let gates = String(decoding: try ContractCoding.encode(template.gates), as: UTF8.self)
        let rows = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).release_templates
                (name, description, type, impact, urgency, risk, job_plan_name, gates, updated_by)
            VALUES (\(template.name), \(template.description), \(template.type.rawValue), \(template.impact?.rawValue),
                    \(template.urgency?.rawValue), \(template.risk?.rawValue), \(template.jobPlanName), \(gates)::jsonb,
                    \(actor))
            ON CONFLICT (name) DO UPDATE SET
                description = excluded.description, type = excluded.type, impact = excluded.impact,
                urgency = excluded.urgency, risk = excluded.risk, job_plan_name = excluded.job_plan_name,
                gates = excluded.gates, retired = false, updated_by = excluded.updated_by, updated_at = now(),
                version = release_templates.version + 1
            RETURNING version
            """, label: "define template")
        return try rows.single().decode(at: 0, as: Int.self)
    }

    /// Retires a template; returns its version. Unknown → not found.
    public func retire(_ name: String, by actor: String, in transaction: PostgresTransaction) async throws -> Int {
        let rows = try await transaction.query(
            """
            UPDATE \(identifier: schema).release_templates
            SET retired = true, updated_by = \(actor), updated_at = now(), version = version + 1
            WHERE name = \(name) RETURNING version
            """, label: "retire template")
        guard let row = rows.first else {
            throw CommandError(.notFound, "release template \(name) does not exist", rule: "templates.exists")
        }
        return try row.decode(at: 0, as: Int.self)
    }

    /// The name of the template a release created without one gets, when it is defined.
    public static let defaultName = "default"

    /// Draws the key of a new release and loads the template it is made from, in one round
    /// trip: the template `name`, or, when `name` is nil, the template `default` if it is
    /// defined and not retired. A named template that is unknown is not found, a retired
    /// one a conflict. (A refused command leaves a gap in the keys, as any rollback does.)
    public func newRelease(
        template name: String?, keySequence: String, in transaction: PostgresTransaction
    ) async throws -> (key: String, template: ReleaseTemplate?) {
        let wanted = name ?? Self.defaultName
        let rows = try await transaction.query(
            """
            SELECT nextval(\(keySequence)::regclass) AS number,
                   t.name, t.description, t.type, t.impact, t.urgency, t.risk, t.job_plan_name, t.gates::text, t.retired
            FROM (SELECT 1) AS one
            LEFT JOIN \(identifier: schema).release_templates t ON t.name = \(wanted)
            """, label: "new release key and template")
        let row = try rows.single()
        let key = ReleaseKeys.key(number: try row.decode("number", as: Int64.self))
        guard try row.decode("name", as: String?.self) != nil else {
            guard let name else { return (key, nil) }
            throw CommandError(
                .notFound, "release template \(name) does not exist", rule: "templates.exists",
                fields: ["templateName": "unknown template"])
        }
        if try row.decode("retired", as: Bool.self) {
            guard let name else { return (key, nil) }
            throw CommandError(
                .conflict, "release template \(name) is retired", rule: "templates.retired",
                fields: ["templateName": "retired"])
        }
        // A stored value this version does not know (a newer one wrote it) fails the command
        // loudly: a template is never applied with a guessed type, impact or gate.
        let unknownStored = CommandError(
            .internal, "release template \(wanted) holds a value this version of planning does not know",
            rule: "templates.stored_values")
        func value<Value: ContractEnum>(_ column: String, as: Value.Type) throws -> Value? {
            guard let raw = try row.decode(column, as: String?.self) else { return nil }
            guard let value = Value(knownRawValue: raw) else { throw unknownStored }
            return value
        }
        guard let type = ReleaseType(knownRawValue: try row.decode("type", as: String.self)) else { throw unknownStored }
        let gates = try ContractCoding.decode(
            [ReleasePhase: ApprovalGate].self, from: Data(try row.decode("gates", as: String.self).utf8))
        guard gates.keys.allSatisfy(\.isKnown) else { throw unknownStored }
        let template = ReleaseTemplate(
            name: wanted, description: try row.decode("description", as: String.self),
            type: type, impact: try value("impact", as: Impact.self),
            urgency: try value("urgency", as: Urgency.self), risk: try value("risk", as: ReleaseRisk.self),
            jobPlanName: try row.decode("job_plan_name", as: String?.self), gates: gates)
        return (key, template)
    }

    /// Checks names, lengths and gates before a template is stored.
    static func validate(_ template: ReleaseTemplate) throws(CommandError) {
        try ConfigurationNames.require(template.name, field: "name")
        var fields: [String: String] = [:]
        if template.description.count > 2_000 {
            fields["description"] = "must be at most 2000 characters"
        } else if let problem = CIFieldRules.controlProblem(template.description, allowingLineBreaks: true) {
            fields["description"] = problem
        }
        // Values a newer sender added are refused, never stored for a release to inherit.
        fields["type"] = template.type.knownValueProblem
        fields["impact"] = template.impact?.knownValueProblem
        fields["urgency"] = template.urgency?.knownValueProblem
        fields["risk"] = template.risk?.knownValueProblem
        if !template.gates.keys.allSatisfy(\.isKnown) { fields["gates"] = "phases \(ReleasePhase.knownValueRule)" }
        if let plan = template.jobPlanName, !ConfigurationNames.isValid(plan) {
            fields["jobPlanName"] = "must be 1 to 64 lower-case letters, digits, '_', '.' or '-'"
        }
        for (phase, gate) in template.gates {
            if !ConfigurationNames.isValid(gate.approverGroup) {
                fields["gates.\(phase.rawValue).approverGroup"] = "invalid group name"
            }
            if !(1...20).contains(gate.requiredApprovals) {
                fields["gates.\(phase.rawValue).requiredApprovals"] = "must be 1 to 20"
            }
        }
        guard fields.isEmpty else {
            throw CommandError(.validation, "the release template is malformed", rule: "templates.well_formed", fields: fields)
        }
    }
}
