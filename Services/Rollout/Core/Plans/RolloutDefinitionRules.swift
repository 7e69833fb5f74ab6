import Contracts

/// The field rules of a rollout-plan request: everything a person types, checked before the
/// CMDB is read. Each problem names its field (`targets.keys[3]`) and its rule
/// (``RolloutPlanRule``); all are reported at once.
///
/// - CI keys follow ``ConfigurationItemKey`` (the rule planning stores CIs under).
/// - Sites and tags are ``ShortText`` (sites up to 100 characters as planning stores them; tag
///   names up to 64, values up to 1,000). A site or tag no CI has is not a field problem: it
///   selects nothing, and the planner says so.
/// - Every list given holds at least one entry and none twice; sizes are bounded so one
///   request cannot make the planner do unbounded work.
/// - Enum values this version does not know are refused, never replaced by a default.
public enum RolloutDefinitionRules {
    public static let maxSources = 100
    public static let maxTargetKeys = 20_000
    public static let maxAnchors = 1_000
    public static let maxSites = 100
    public static let maxClasses = 20
    public static let maxTags = 50
    public static let canaryRange = 1...1_000
    public static let windowRange = 1...1_000

    /// Refuses the request (validation) naming every field that breaks a rule.
    public static func check(_ request: RequestRolloutPlan) throws(CommandError) {
        var problems = RolloutFieldProblems()
        if let problem = ShortText.problem(request.releaseKey, max: 40) {
            problems.add("releaseKey", problem, rule: RolloutPlanRule.releaseKey)
        }
        collect(request.definition, into: &problems)
        try problems.check(subject: "the rollout definition is refused")
    }

    /// Refuses the definition (validation) naming every field that breaks a rule.
    public static func check(_ definition: RolloutDefinition) throws(CommandError) {
        var problems = RolloutFieldProblems()
        collect(definition, into: &problems)
        try problems.check(subject: "the rollout definition is refused")
    }

    static func collect(_ definition: RolloutDefinition, into problems: inout RolloutFieldProblems) {
        if let sources = definition.sources { keys(sources, field: "sources", max: maxSources, into: &problems) }
        collect(definition.targets, into: &problems)
        if let canary = definition.canary, !canaryRange.contains(canary) {
            problems.add("canary", "must be \(canaryRange.lowerBound) to \(canaryRange.upperBound) targets", rule: RolloutPlanRule.canarySize)
        }
        if let siteOrder = definition.siteOrder {
            texts(siteOrder, field: "siteOrder", maxLength: 100, allowEmpty: true, into: &problems)
        }
        if let window = definition.window, !windowRange.contains(window) {
            problems.add("window", "must be \(windowRange.lowerBound) to \(windowRange.upperBound) deploy jobs", rule: RolloutPlanRule.window)
        }
        if let threshold = definition.failureThreshold { collect(threshold, into: &problems) }
        if let gate = definition.betweenWaves { collect(gate, into: &problems) }
        if let problem = definition.backoutScope?.knownValueProblem {
            problems.add("backoutScope", problem, rule: RolloutPlanRule.unknownValue)
        }
    }

    static func collect(_ selection: RolloutTargetSelection, into problems: inout RolloutFieldProblems) {
        let field = "targets"
        if selection.keys == nil && selection.sites == nil && selection.classes == nil && selection.tags == nil
            && selection.related == nil {
            problems.add(field, "must select by keys, sites, classes, tags or a relationship", rule: RolloutPlanRule.selectionEmpty)
        }
        if let keys = selection.keys { self.keys(keys, field: "\(field).keys", max: maxTargetKeys, into: &problems) }
        if let sites = selection.sites { texts(sites, field: "\(field).sites", maxLength: 100, into: &problems) }
        if let classes = selection.classes {
            listSize(classes.count, field: "\(field).classes", max: maxClasses, into: &problems)
            for (index, ciClass) in classes.prefix(maxClasses).enumerated() {
                if let problem = ciClass.knownValueProblem {
                    problems.add("\(field).classes[\(index)]", problem, rule: RolloutPlanRule.unknownValue)
                }
            }
            duplicates(classes.filter(\.isKnown).map(\.rawValue), field: "\(field).classes", into: &problems)
        }
        if let tags = selection.tags {
            listSize(tags.count, field: "\(field).tags", max: maxTags, into: &problems)
            for (name, value) in tags.sorted(by: { $0.key < $1.key }) {
                if let problem = ShortText.problem(name, max: 64) {
                    problems.add("\(field).tags", "name \(problem)", rule: RolloutPlanRule.text)
                } else if let problem = ShortText.problem(value, max: 1_000) {
                    problems.add("\(field).tags.\(name)", problem, rule: RolloutPlanRule.text)
                }
            }
        }
        if let related = selection.related {
            if let problem = related.kind.knownValueProblem {
                problems.add("\(field).related.kind", problem, rule: RolloutPlanRule.unknownValue)
            }
            if let problem = related.direction.knownValueProblem {
                problems.add("\(field).related.direction", problem, rule: RolloutPlanRule.unknownValue)
            }
            keys(related.anchors, field: "\(field).related.anchors", max: maxAnchors, into: &problems)
        }
    }

    static func collect(_ threshold: RolloutFailureThreshold, into problems: inout RolloutFieldProblems) {
        switch threshold.kind {
        case .count where threshold.value < 1:
            problems.add("failureThreshold.value", "must be a count of at least 1", rule: RolloutPlanRule.threshold)
        case .percent where !(1...100).contains(threshold.value):
            problems.add("failureThreshold.value", "must be a percentage from 1 to 100", rule: RolloutPlanRule.threshold)
        case .unknown:
            problems.add("failureThreshold.kind", RolloutThresholdKind.knownValueRule, rule: RolloutPlanRule.unknownValue)
        default:
            break
        }
    }

    static func collect(_ gate: RolloutWaveGate, into problems: inout RolloutFieldProblems) {
        if let problem = gate.kind.knownValueProblem {
            problems.add("betweenWaves.kind", problem, rule: RolloutPlanRule.unknownValue)
        } else if gate.kind.isTimed {
            if !(1...RolloutWaveGate.maxSeconds).contains(gate.seconds ?? 0) {
                problems.add("betweenWaves.seconds", "must be 1 to \(RolloutWaveGate.maxSeconds) seconds for a \(gate.kind.rawValue)",
                             rule: RolloutPlanRule.gate)
            }
        } else if gate.seconds != nil {
            problems.add("betweenWaves.seconds", "must be absent for \(gate.kind.rawValue)", rule: RolloutPlanRule.gate)
        }
    }

    /// CI keys: a bounded, non-empty list of valid keys, none twice.
    static func keys(_ keys: [String], field: String, max: Int, into problems: inout RolloutFieldProblems) {
        listSize(keys.count, field: field, max: max, into: &problems)
        for (index, key) in keys.prefix(max).enumerated() where !ConfigurationItemKey.isValid(key) {
            problems.add("\(field)[\(index)]", "must be a CI key like CI-APP-0001 (CI-<2-12 of A-Z0-9>-<4-8 digits>)",
                         rule: RolloutPlanRule.ciKey)
        }
        duplicates(keys.prefix(max).filter(ConfigurationItemKey.isValid), field: field, into: &problems)
    }

    /// Short texts (sites): a bounded list of ``ShortText``, none twice.
    static func texts(
        _ texts: [String], field: String, maxLength: Int, allowEmpty: Bool = false, into problems: inout RolloutFieldProblems
    ) {
        if !(allowEmpty && texts.isEmpty) { listSize(texts.count, field: field, max: maxSites, into: &problems) }
        var fine: [String] = []
        for (index, text) in texts.prefix(maxSites).enumerated() {
            if let problem = ShortText.problem(text, max: maxLength) {
                problems.add("\(field)[\(index)]", problem, rule: RolloutPlanRule.text)
            } else {
                fine.append(text)
            }
        }
        duplicates(fine, field: field, into: &problems)
    }

    static func listSize(_ count: Int, field: String, max: Int, into problems: inout RolloutFieldProblems) {
        if !(1...max).contains(count) {
            problems.add(field, "must list 1 to \(max) entries, or be left out", rule: RolloutPlanRule.listSize)
        }
    }

    /// Names the first value listed twice; `values` already passed their format check.
    static func duplicates(_ values: some Sequence<String>, field: String, into problems: inout RolloutFieldProblems) {
        var seen: Set<String> = []
        for value in values where !seen.insert(value).inserted {
            problems.add(field, "names \(value) twice", rule: RolloutPlanRule.duplicate)
            return
        }
    }
}
