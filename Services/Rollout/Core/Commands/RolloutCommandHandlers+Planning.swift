import Contracts
import Foundation
import Messaging
import Postgres

/// Planning a rollout: a person's plan (`rollout.request_plan`, also a dry run) and
/// planning's automated `rollout-plan` task (`rollout.plan_rollout`).
extension RolloutCommandHandlers {
    func registerPlanning(into handlers: inout MessageHandlers) {
        handlers.onCommand(RequestRolloutPlan.self) { envelope, context in
            let request = envelope.payload
            try RolloutDefinitionRules.check(request)
            let release = try await planning.release(request.releaseKey, in: context.transaction)
            guard release.status != .cancelled, release.status != .rejected, release.status != .completed,
                  release.status != .backedOut, release.phase != .review
            else {
                throw CommandError(
                    .conflict, "release \(request.releaseKey) is \(release.status.rawValue) in \(release.phase.rawValue): its rollout cannot be planned",
                    rule: "rollout.release_state")
            }
            let (plan, image) = try await makePlan(request.definition, releaseKey: request.releaseKey, context.transaction)
            if request.dryRun == true { return RolloutPlanned(releaseKey: request.releaseKey, dryRun: true, plan: plan) }
            try await store(plan, image: image, definition: request.definition, releaseKey: request.releaseKey, planTaskKey: nil, context)
            return RolloutPlanned(releaseKey: request.releaseKey, dryRun: false, plan: plan)
        }
        handlers.on(PlanRollout.self) { envelope, context in
            let step = envelope.payload
            let outbox = RolloutOutbox(context)
            // A plan a person made before the task ran is the plan: the task only records it.
            if var existing = try await rollouts.live(releaseKey: step.releaseKey, lock: true, in: context.transaction) {
                existing.planTaskKey = step.taskKey
                try await rollouts.save(existing, in: context.transaction)
                try await outbox.publish(
                    [RolloutPlanFinished(releaseKey: step.releaseKey, taskKey: step.taskKey, succeeded: true,
                                         detail: "rollout \(existing.id.uuidString.lowercased()) of \(existing.image.coordinate) is planned")],
                    releaseKey: step.releaseKey)
                return
            }
            do {
                let definition = try await defaultDefinition(step.releaseKey, context.transaction)
                let (plan, image) = try await makePlan(definition, releaseKey: step.releaseKey, context.transaction)
                try await store(plan, image: image, definition: definition, releaseKey: step.releaseKey, planTaskKey: step.taskKey, context)
                try await outbox.publish(
                    [RolloutPlanFinished(releaseKey: step.releaseKey, taskKey: step.taskKey, succeeded: true,
                                         detail: RolloutPlanText.summary(plan))],
                    releaseKey: step.releaseKey)
            } catch let refusal as CommandError {
                // The task fails with the reason; a person plans it (`shipboard rollout plan`) and retries the task.
                try await outbox.publish(
                    [RolloutPlanFinished(releaseKey: step.releaseKey, taskKey: step.taskKey, succeeded: false,
                                         detail: String(refusal.message.prefix(500)))],
                    releaseKey: step.releaseKey)
            }
        }
    }

    /// The plan for `definition` from the CMDB and the release's accepted image.
    private func makePlan(
        _ definition: RolloutDefinition, releaseKey: String, _ transaction: PostgresTransaction
    ) async throws -> (RolloutPlan, RolloutImage) {
        let image = try await DMLReader(schema: testingSchema).acceptedImage(of: releaseKey, in: transaction)
        let plan = try RolloutPlanner.plan(
            definition, inventory: try await planning.inventory(in: transaction),
            affectedCIs: try await planning.affectedCIs(of: releaseKey, in: transaction))
        return (plan, image)
    }

    /// Without a person's definition: every affected CI that is not a source and sits at a
    /// site is a target, in site waves, with the defaults.
    private func defaultDefinition(_ releaseKey: String, _ transaction: PostgresTransaction) async throws -> RolloutDefinition {
        let inventory = try await planning.inventory(in: transaction)
        let affected = try await planning.affectedCIs(of: releaseKey, in: transaction)
        let targets = affected.filter { key in
            guard let item = inventory[key] else { return false }
            return item.site != nil && !RolloutPlanner.defaultSourceClasses.contains(item.ciClass)
        }
        guard !targets.isEmpty else {
            throw CommandError(
                .conflict, "release \(releaseKey) affects no CI at a site to roll out to: plan the rollout with `shipboard rollout plan`",
                rule: RolloutPlanRule.selectionMatchesNothing)
        }
        return RolloutDefinition(targets: RolloutTargetSelection(keys: targets))
    }

    /// Stores the plan (replacing one that never started), announces it, and pins nothing
    /// yet (the DML entry is pinned when the rollout starts).
    private func store(
        _ plan: RolloutPlan, image: RolloutImage, definition: RolloutDefinition, releaseKey: String, planTaskKey: String?,
        _ context: HandlerContext
    ) async throws {
        var replaces: UUID?
        if let existing = try await rollouts.live(releaseKey: releaseKey, lock: true, in: context.transaction) {
            guard existing.state == .planned else {
                throw CommandError(
                    .conflict, "release \(releaseKey)'s rollout is \(existing.state.rawValue): a rollout is planned again only before it starts",
                    rule: "rollout.state")
            }
            try await rollouts.delete(existing.id, in: context.transaction)
            replaces = existing.id
        }
        let id = UUID()
        try await rollouts.insert(
            plan, id: id, releaseKey: releaseKey, image: image, definition: definition, plannedBy: context.header.actor,
            planTaskKey: planTaskKey, in: context.transaction)
        let tasks = plan.rollouts.map {
            RolloutTaskSpec(taskKey: $0.taskKey, source: $0.source, target: $0.target, site: $0.site, wave: $0.wave, dependsOn: $0.dependsOn)
        }
        try await RolloutOutbox(context).publish(
            [RolloutPlannedEvent(
                releaseKey: releaseKey, rolloutId: id.uuidString.lowercased(), replaces: replaces?.uuidString.lowercased(),
                image: image.coordinate, tasks: tasks)],
            releaseKey: releaseKey)
    }
}
