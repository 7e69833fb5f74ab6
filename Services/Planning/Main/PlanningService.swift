import PlanningCore
import ServiceKit

/// shipboard-planning: answers planning commands from `planning.commands`, takes the other
/// services' events from `planning.events` (a finished build finishes its task), relays its outbox
/// and verifies the audit trail periodically; the rest of its start-up is every service's
/// (`StandardService`).
@main
struct PlanningService {
    static func main() async {
        await StandardService(
            name: "shipboard-planning",
            summary: "releases, phases, approvals, changes, the CMDB and the audit trail",
            defaultHTTPPort: 8081, schema: PlanningSchema.name, queue: "planning.commands", eventQueue: "planning.events",
            variables: PlanningSettings.documentation, readSettings: PlanningSettings.init(reader:),
            migrationsDirectory: \.migrationsDirectory,
            handlers: { settings in
                PlanningCommandHandlers(auditKeys: settings.auditKeys, matrix: settings.priorityMatrix).handlers()
            },
            extraServices: { context, settings in
                [AuditVerifier(
                    trail: AuditTrail(keyring: settings.auditKeys), pool: context.pool, interval: settings.auditVerifyInterval,
                    logger: context.logger)]
            }
        ).run()
    }
}
