import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres

/// The main scenario, run by `Infra/scripts/up.sh` against the running services: a release
/// manager configures governance, records a release with an approved change, gets it
/// authorized by the CAB (the coordinator's own approval is refused), and moves it into
/// build; then the audit chain is verified. It talks to the services only through
/// commands (AMQP request/reply); it reads PostgreSQL only to verify the audit trail.
/// It becomes CLI calls through the gateway once those exist.
@main
struct ShipboardScenario {
    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("scenario failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let amqpURL = environment["SHIPBOARD_AMQP_URL"], let databaseURL = environment["SHIPBOARD_DATABASE_URL"] else {
            throw ScenarioFailure("SHIPBOARD_AMQP_URL and SHIPBOARD_DATABASE_URL must be set (source .run/env)")
        }
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
        let clientTask = Task { await client.run() }
        defer { clientTask.cancel() }
        _ = try await client.currentConnection(timeout: .seconds(30))
        let requests = RequestClient(amqp: client)
        let steps = ScenarioSteps(requests: requests)

        print("Governance (as admin):")
        for member in ["dave", "erin"] {
            try await steps.ensure("\(member) is in the CAB", AddApprover(group: "cab", member: member), as: "admin",
                                   alreadyRule: "approvers.unique")
        }
        try await steps.send("template standard-release", DefineReleaseTemplate(
            name: "standard-release", description: "Quarterly application release", type: .minor, impact: .medium,
            urgency: .medium, risk: .medium, jobPlanName: "standard-rollout",
            gates: [.initiate: ApprovalGateSpec(approverGroup: "cab"), .review: ApprovalGateSpec(approverGroup: "cab")]),
            as: "admin")
        try await steps.send("plan needs a change (error)",
                             ConfigureExitCriterion(phase: .plan, criterion: "changes_added", severity: "error"), as: "admin")
        try await steps.send("plan needs the changes' CIs in the CMDB (error)",
                             ConfigureExitCriterion(phase: .plan, criterion: "affected_cis_identified", severity: "error"),
                             as: "admin")
        try await steps.send("plan should have a schedule (warning)",
                             ConfigureExitCriterion(phase: .plan, criterion: "schedule_set", severity: "warning"), as: "admin")

        print("CMDB (as cmdb-admin):")
        let imported = try await steps.send("import the payroll CIs (CSV)", ImportConfigurationItems(format: .csv, content: """
            key,name,class,site,depends_on,runs_on
            CI-SVC-0001,Payroll service,service,FRA1,CI-APP-0001,
            CI-APP-0001,Payroll application,application,FRA1,CI-DB-0001,CI-SRV-0001
            CI-DB-0001,Payroll database,database,FRA1,,CI-SRV-0002
            CI-SRV-0001,fra1-app-01,server,FRA1,,
            CI-SRV-0002,fra1-db-01,server,FRA1,,
            """), as: "cmdb-admin")
        print("    \(imported.items) CIs, \(imported.relationshipsAdded) new relationships")

        print("Release (rita requests, colin coordinates):")
        let release = try await steps.send("create from standard-release", CreateRelease(
            title: "Payroll 4.2", description: "Tax tables and payslip layout", businessJustification: "Legal change on 1 January",
            requester: "rita", coordinator: "colin", templateName: "standard-release"), as: "rita")
        let key = release.releaseKey
        print("    \(key) is \(release.phase.rawValue)/\(release.status.rawValue)")
        try await steps.send("add approved change CHG0042001", AddChange(releaseKey: key, change: ChangeRequestInput(
            externalId: "CHG0042001", title: "Update payroll tax tables", status: "approved", risk: "medium",
            affectedCIs: ["CI-APP-0001", "CI-DB-0001"])), as: "colin", correlationId: key)
        try await steps.send("submit for authorization", SubmitRelease(releaseKey: key), as: "rita", correlationId: key)
        try await steps.expectRefusal("colin approves his own release", ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "colin",
                                      rule: "approval.segregation_of_duties", correlationId: key)
        let approved = try await steps.send("dave (CAB) approves", ApproveRelease(releaseKey: key, comment: "CAB 2026-11", expectedPhase: .initiate),
                                            as: "dave", correlationId: key)
        print("    \(key) is \(approved.phase.rawValue)/\(approved.status.rawValue)")
        try await steps.send("advance to plan", AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "colin", correlationId: key)
        let built = try await steps.send(
            "advance to build", AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "colin", correlationId: key)
        print("    \(key) is \(built.phase.rawValue)/\(built.status.rawValue); warnings: \(built.warnings ?? [])")
        await requests.close()

        let pool = PostgresPool(configuration: try PostgresConfiguration(url: databaseURL), maxConnections: 1)
        let impact = try await ReleaseQueries(schema: PlanningSchema.name, pool: pool).impactSet(of: key)
        print("Impact set of \(key) (changed CIs and everything depending on them): \(impact.map(\.key).joined(separator: ", "))")
        // Verifying needs the service's audit key (an auditor's tool holds it; the database does not).
        guard let keys = environment[AuditKeyring.variable] else {
            throw ScenarioFailure("\(AuditKeyring.variable) must be set to verify the audit trail (source .run/env)")
        }
        let audit = AuditTrail(schema: PlanningSchema.name, keyring: try AuditKeyring(parsing: keys))
        let verification = try await audit.verify(chain: key, pool: pool)
        let entries = try await audit.reader.entries(chain: key, pool: pool)
        await pool.close()
        guard case .intact(let count) = verification else { throw ScenarioFailure("audit trail of \(key): \(verification)") }
        print("Audit trail of \(key): \(count) entries, chain intact:")
        for entry in entries {
            let note = entry.details["comment"].map { " — \"\($0)\"" } ?? ""
            print("    #\(entry.seq) \(entry.actor) \(entry.action) → \(entry.details["phase"] ?? "")/\(entry.details["status"] ?? "")\(note)")
        }
    }
}
