import Contracts
import Foundation
import Images
import Postgres

/// What an event means for the release's communication plan:
/// - `image.built` with a plan: the plan is kept (by image digest);
/// - `dml.entry_added`: the accepted image's plan is scheduled (earlier plans superseded);
/// - any release event: offset messages follow the deployment's (possibly moved) start;
/// - a release cancelled or rejected: nothing more is sent;
/// - `rollout.started|completed|halted|backed_out`: that outcome's messages are sent now.
struct CommunicationPlanner: Sendable {
    let schemas: NotifySchemas
    let composer: MessageComposer

    static let outcomes: [String: String] = [
        "rollout.started": "started", "rollout.completed": "completed", "rollout.halted": "halted", "rollout.backed_out": "backed_out",
    ]

    func react(to event: EventFacts, release: ReleaseFacts?, in transaction: PostgresTransaction) async throws -> [NewDelivery] {
        guard let releaseKey = event.releaseKey else { return [] }
        let store = ScheduledSendStore(schema: schemas.notify)
        switch event.type {
        case ImageBuilt.messageType:
            if let text = event.payload["communicationPlan"]?.string, let digest = event.payload["sha256"]?.string {
                try await store.keepPlan(releaseKey: releaseKey, imageSHA256: digest, text: text, in: transaction)
            }
        case DMLEntryAdded.messageType:
            if let digest = event.payload["entry"]?["sha256"]?.string,
               let text = try await store.planText(releaseKey: releaseKey, imageSHA256: digest, in: transaction),
               let plan = try? PlanDocument(parsing: text)
            {
                try await store.schedule(plan, releaseKey: releaseKey, imageSHA256: digest, start: release?.scheduledStart, in: transaction)
            }
        case ReleaseStatusChanged.messageType where ["cancelled", "rejected"].contains(event.payload["to"]?.string ?? ""):
            try await store.cancel(releaseKey: releaseKey, in: transaction)
            return []
        default:
            if let outcome = Self.outcomes[event.type] {
                let sends = try await store.takeDue(outcome: (releaseKey, outcome), in: transaction)
                return try await BriefingComposer(schemas: schemas, composer: composer).deliveries(for: sends, in: transaction)
            }
        }
        if let release, event.type.hasPrefix("release.") {
            try await store.follow(releaseKey: releaseKey, start: release.scheduledStart, in: transaction)
        }
        return []
    }
}
