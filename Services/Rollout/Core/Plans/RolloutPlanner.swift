import Contracts

/// Plans a release's rollout: sources × targets → one rollout (deploy job, work-plan task)
/// per unique source → target pair, laid out in waves (``WaveLayout``), each wave's rollouts
/// in batches of the window.
///
/// - Pure: it reads only its inputs (the definition, the inventory the caller read from
///   planning's CMDB, the release's affected CIs), so the same inputs give the same plan.
/// - Freeze windows and unresolved collisions are planning's to enforce (it refuses to enter
///   `deploy` while one holds), so they are deliberately not rechecked here.
/// - A target's rollouts are adjacent, sources in key order; a batch never holds a rollout
///   together with one it depends on (batches split at every dependency level).
/// - The failure threshold counts failed rollouts; a percentage is of the plan's rollouts,
///   rounded up, so the rollout halts once at least that share has failed (at least 1).
public enum RolloutPlanner {
    /// The most rollouts one plan may hold.
    public static let maxRollouts = 100_000
    /// The classes of the release's affected CIs that are its default sources.
    public static let defaultSourceClasses: Set<CIClass> = [.software, .application]

    /// The plan for `definition`, or the refusal naming the rule it breaks.
    public static func plan(
        _ definition: RolloutDefinition, inventory: RolloutInventory, affectedCIs: [String]
    ) throws(CommandError) -> RolloutPlan {
        try RolloutDefinitionRules.check(definition)
        let sources = try resolveSources(definition.sources, inventory: inventory, affectedCIs: affectedCIs)
        let targets = try TargetSelection(definition.targets).targets(in: inventory, excluding: Set(sources))
        let rolloutCount = sources.count * targets.count
        guard rolloutCount <= maxRollouts else {
            throw CommandError(
                .validation, "\(sources.count) source(s) × \(targets.count) target(s) is \(rolloutCount) rollouts, more than \(maxRollouts)",
                rule: RolloutPlanRule.tooLarge, fields: ["targets": "too many rollouts"])
        }
        let threshold = definition.failureThreshold ?? RolloutDefinition.defaultFailureThreshold
        let haltAfter = try haltAfterFailures(threshold, rollouts: rolloutCount)
        let dependencies = try TargetDependencies(targets: Set(targets.map(\.key)), relationships: inventory.relationships)
        let layout = try WaveLayout(
            targets: targets, siteOrder: definition.siteOrder ?? [], canary: definition.canary, dependencies: dependencies)
        let window = definition.window ?? RolloutDefinition.defaultWindow
        let gate = definition.betweenWaves ?? .immediate
        var waves: [PlannedWave] = []
        var rollouts: [PlannedRollout] = []
        rollouts.reserveCapacity(rolloutCount)
        for (index, wave) in layout.waves.enumerated() {
            let last = index == layout.waves.count - 1
            waves.append(PlannedWave(index: index, kind: wave.kind, sites: wave.sites, gateAfter: last ? .immediate : gate))
            var position = 0, batch = -1
            for level in wave.levels {
                var inLevel = 0
                for target in level {
                    let needs = dependencies.prerequisites(of: target.key).flatMap { need in
                        sources.map { RolloutTaskKey.make(source: $0, target: need) }
                    }
                    for source in sources {
                        if inLevel % window == 0 { batch += 1 }
                        inLevel += 1
                        rollouts.append(PlannedRollout(
                            taskKey: RolloutTaskKey.make(source: source, target: target.key), source: source, target: target.key,
                            site: target.site ?? "", wave: index, batch: batch, position: position, dependsOn: needs))
                        position += 1
                    }
                }
            }
        }
        return RolloutPlan(
            sources: sources, window: window, failureThreshold: threshold, haltAfterFailures: haltAfter,
            backoutScope: definition.backoutScope ?? .currentWave, waves: waves, rollouts: rollouts)
    }

    /// The named sources (each a CI), else the release's affected CIs of a default source
    /// class; in key order. None at all is a conflict: the release has nothing to roll out.
    static func resolveSources(_ named: [String]?, inventory: RolloutInventory, affectedCIs: [String]) throws(CommandError) -> [String] {
        if let named {
            var problems = RolloutFieldProblems()
            for (index, key) in named.enumerated() where inventory[key] == nil {
                problems.add("sources[\(index)]", "\(key) is no configuration item", rule: RolloutPlanRule.unknownCI)
            }
            try problems.check(.notFound, subject: "the sources name unknown CIs")
            return named.sorted()
        }
        let defaults = Set(affectedCIs.filter { inventory[$0].map { defaultSourceClasses.contains($0.ciClass) } ?? false })
        guard !defaults.isEmpty else {
            throw CommandError(
                .conflict, "no sources given, and the release has no affected CI of class software or application to roll out",
                rule: RolloutPlanRule.noSources, fields: ["sources": "none given or found"])
        }
        return defaults.sorted()
    }

    /// The threshold as a count of failed rollouts: a count as given (at most the rollouts,
    /// or it could never halt), a percentage of `rollouts` rounded up.
    static func haltAfterFailures(_ threshold: RolloutFailureThreshold, rollouts: Int) throws(CommandError) -> Int {
        switch threshold.kind {
        case .percent:
            return max(1, (threshold.value * rollouts + 99) / 100)
        default:
            guard threshold.value <= rollouts else {
                throw CommandError(
                    .validation, "a failure threshold of \(threshold.value) exceeds the plan's \(rollouts) rollouts, so it could never halt",
                    rule: RolloutPlanRule.threshold, fields: ["failureThreshold.value": "must be at most \(rollouts)"])
            }
            return threshold.value
        }
    }
}
