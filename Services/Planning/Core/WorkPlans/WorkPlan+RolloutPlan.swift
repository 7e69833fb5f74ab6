import Contracts
import Foundation

/// A rollout planned by shipboard-rollout becomes one `rollout` task per source → target in
/// the release's `deploy` phase (`rollout.planned`).
///
/// - Each task waits for its `dependsOn` and for what the deploy phase's automated task
///   (the `rollout_start` step, ``rolloutAnchor``) waits for: rollout tasks become ready
///   when deployment may begin, not before.
/// - Nobody is assigned: shipboard-rollout does the work, so the assignee is
///   ``rolloutService`` from the start (how automated tasks show whom they wait on), the
///   owner is the deploy task's (the people accountable), the estimate 0 (the deploy task's
///   estimate covers the whole deployment; 40 parallel targets must not add 40 estimates).
/// - A plan replaces the release's rollout tasks: a task of the new plan that already exists
///   keeps its progress (a repeated event changes nothing; a cancelled one reopens); one
///   that is no longer planned is removed when nothing happened to it (as a hand edit removes
///   an unworked task: `plan show` lists the rollout that will run, not every draft of it)
///   and cancelled when something did (its history stays); a finished one stays as it is.
extension WorkPlan {
    /// Who carries out rollout tasks (their assignee): what `plan show` says they wait on.
    public static let rolloutService = "shipboard-\(ServiceName.rollout.rawValue)"
    /// The most rollout tasks one release's work plan takes (the rollout service plans up to
    /// 100,000 rollouts; one plan is one INSERT however large).
    public static let maximumRolloutTasks = 100_000
    /// Every rollout task key starts so (`rollout-<source>-<target>`, lower-cased).
    public static let rolloutKeyPrefix = "rollout-"

    /// True for a key a rollout task may have: a task key with the rollout prefix.
    public static func isRolloutTaskKey(_ key: String) -> Bool {
        key.hasPrefix(rolloutKeyPrefix) && ConfigurationNames.isValid(key)
    }

    /// The deploy phase's automated `rollout_start` task, the first in plan order.
    public var rolloutAnchor: WorkPlanTask? {
        tasks.first { $0.kind == .automated && $0.step == .rolloutStart && $0.phase == .deploy }
    }

    /// Puts `event`'s tasks into the plan (see the type's rules), or refuses a malformed plan
    /// whole with the rule it breaks. Returns what changed (empty: nothing did).
    public mutating func applyRolloutPlan(_ event: RolloutPlannedEvent, at now: Date) throws(CommandError) -> RolloutPlanChange {
        try requireWellFormed(event.tasks)
        let anchor = rolloutAnchor
        let planned = event.tasks.map { Self.rolloutTask($0, anchor: anchor) }
        let plannedKeys = Set(planned.map(\.key))
        var change = RolloutPlanChange()
        var kept: [WorkPlanTask] = []  // earlier rollout tasks that stay beside the new plan
        var removed: Set<String> = []
        for task in tasks where task.kind == .rollout && !plannedKeys.contains(task.key) {
            switch task.state {
            case .waiting, .ready:
                removed.insert(task.key)
                change.removed.append(task.key)
            case .inProgress, .failed:
                var cancelled = task
                cancelled.state = .cancelled
                cancelled.reason = "replaced by rollout \(RolloutText.clean(event.rolloutId, limit: 100) ?? "?")"
                cancelled.finishedAt = now
                kept.append(cancelled)
                change.cancelled.append(task.key)
            default:
                kept.append(task)
            }
        }
        let merged = planned.map { task in
            guard let existing = self[task.key] else {
                change.added.append(task.key)
                return task
            }
            let next = Self.replanned(existing, as: task)
            if next != existing { change.updated.append(task.key) }
            return next
        }
        guard !change.isEmpty else { return change }
        var others = tasks.filter { $0.kind != .rollout }
        let insertion = anchor.flatMap { anchor in others.firstIndex { $0.key == anchor.key }.map { $0 + 1 } }
            ?? (others.lastIndex { $0.phase <= .deploy }.map { $0 + 1 } ?? others.count)
        others.insert(contentsOf: merged + kept, at: insertion)
        for index in others.indices { others[index].predecessors.removeAll { removed.contains($0) } }
        replaceTasks(others)
        return change
    }

    /// An existing rollout task as the new plan has it: unstarted ones take the new title and
    /// links, a cancelled one reopens, one with progress keeps it.
    static func replanned(_ existing: WorkPlanTask, as planned: WorkPlanTask) -> WorkPlanTask {
        switch existing.state {
        case .waiting, .ready, .cancelled:
            var next = planned
            // Readiness is recomputed from the links; keeping the state avoids a false change.
            next.state = existing.state == .cancelled ? .waiting : existing.state
            return next
        default:
            return existing
        }
    }

    /// The work plan task for `spec`.
    static func rolloutTask(_ spec: RolloutTaskSpec, anchor: WorkPlanTask?) -> WorkPlanTask {
        let waitsFor = anchor?.predecessors ?? []
        var task = WorkPlanTask(copying: JobPlanTask(
            key: spec.taskKey, title: rolloutTitle(spec), group: "rollout", phase: .deploy,
            owner: anchor?.owner ?? DefaultJobPlan.operators, estimateMinutes: 0,
            predecessors: waitsFor + spec.dependsOn.filter { !waitsFor.contains($0) }, kind: .rollout))
        task.assignee = rolloutService
        return task
    }

    /// "Roll out CI-APP-0001 to CI-SRV-0003 (FRA1, wave 1)": waves counted from 1 for people
    /// (the rollout numbers them from 0); control characters dropped, each part cut so the
    /// whole stays under the 200 code points a title holds.
    static func rolloutTitle(_ spec: RolloutTaskSpec) -> String {
        let source = RolloutText.clean(spec.source, limit: 50) ?? "?"
        let target = RolloutText.clean(spec.target, limit: 50) ?? "?"
        let wave = "wave \(spec.wave + 1)"
        let place = RolloutText.clean(spec.site, limit: 40).map { "\($0), \(wave)" } ?? wave
        return "Roll out \(source) to \(target) (\(place))"
    }

    /// Keys valid and unique, not taken by a task that is no rollout task, waves in range,
    /// `dependsOn` naming tasks of the plan without a cycle, at most ``maximumRolloutTasks``.
    private func requireWellFormed(_ specs: [RolloutTaskSpec]) throws(CommandError) {
        guard specs.count <= Self.maximumRolloutTasks else {
            throw CommandError(.validation, "a rollout plan has at most \(Self.maximumRolloutTasks) tasks",
                               rule: "rollout_tasks.size", fields: ["tasks": "\(specs.count) tasks"])
        }
        var keys: Set<String> = []
        for (index, spec) in specs.enumerated() {
            let field = "tasks/\(index)/taskKey"
            guard Self.isRolloutTaskKey(spec.taskKey) else {
                throw CommandError(.validation, "a rollout task key is rollout-… in lower-case letters, digits, '_', '.' or '-'",
                                   rule: "rollout_tasks.key", fields: [field: "invalid"])
            }
            guard (0...Self.maximumRolloutTasks).contains(spec.wave) else {
                throw CommandError(.validation, "a wave is numbered 0 to \(Self.maximumRolloutTasks)", rule: "rollout_tasks.wave",
                                   fields: ["tasks/\(index)/wave": "out of range"])
            }
            guard keys.insert(spec.taskKey).inserted else {
                throw CommandError(.validation, "rollout task \(spec.taskKey) is planned twice", rule: "rollout_tasks.key",
                                   fields: [field: "repeated"])
            }
            if let existing = self[spec.taskKey], existing.kind != .rollout {
                throw CommandError(.conflict, "\(spec.taskKey) is a \(existing.kind.rawValue) task of the work plan",
                                   rule: "rollout_tasks.key_taken", fields: [field: "taken"])
            }
        }
        for (index, spec) in specs.enumerated() {
            try TaskFieldRules.requirePredecessors(spec.dependsOn, of: spec.taskKey, among: keys, field: "tasks/\(index)/dependsOn")
        }
        try TaskFieldRules.requireAcyclic(Dictionary(uniqueKeysWithValues: specs.map { ($0.taskKey, $0.dependsOn) }), field: "tasks")
    }
}

/// What a rollout plan changed in a work plan, by task key.
public struct RolloutPlanChange: Sendable, Equatable {
    public var added: [String] = []
    /// Existing rollout tasks given a new title or links, or reopened.
    public var updated: [String] = []
    public var removed: [String] = []
    public var cancelled: [String] = []

    public var isEmpty: Bool { added.isEmpty && updated.isEmpty && removed.isEmpty && cancelled.isEmpty }

    /// Counts for the plan's one audit entry (keys of 40 tasks would not be read).
    var auditDetails: [String: String] {
        ["added": String(added.count), "updated": String(updated.count), "removed": String(removed.count),
         "cancelled": String(cancelled.count)]
    }
}

/// Text from another service's event as planning shows and records it.
enum RolloutText {
    /// `text` without control characters (a NUL never reaches the database) or surrounding
    /// spaces, cut to `limit` code points (as PostgreSQL counts, so combining marks cannot
    /// overflow a column); nil when nothing is left.
    static func clean(_ text: String?, limit: Int) -> String? {
        guard let text else { return nil }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: text.unicodeScalars.filter { $0.properties.generalCategory != .control })
        let trimmed = String(kept).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: trimmed.unicodeScalars.prefix(limit))
        return String(cut)
    }
}
