import Contracts

/// Which CIs a rollout's target selection picks from the inventory.
///
/// Every criterion given must hold: the CI is one of `keys`, at one of `sites`, of one of
/// `classes`, has every tag (`attributes[name] == value`), and is at the chosen end of a
/// `related` relationship with an anchor. The rollout's sources are never targets of
/// themselves. A selection with no criterion, naming a CI the CMDB lacks, or picking nothing
/// is refused, each with its own rule.
public struct TargetSelection: Sendable, Equatable {
    public let selection: RolloutTargetSelection

    /// Checks the selection's field rules (those of ``RolloutDefinitionRules``).
    public init(_ selection: RolloutTargetSelection) throws(CommandError) {
        var problems = RolloutFieldProblems()
        RolloutDefinitionRules.collect(selection, into: &problems)
        try problems.check(subject: "the target selection is refused")
        self.selection = selection
    }

    /// The picked CIs in key order, without `sources`.
    public func targets(in inventory: RolloutInventory, excluding sources: Set<String> = []) throws(CommandError)
        -> [RolloutInventory.Item]
    {
        try checkKnown(in: inventory)
        var picked = candidates(in: inventory).filter { !sources.contains($0.key) }
        if let sites = selection.sites.map(Set.init) { picked = picked.filter { $0.site.map(sites.contains) ?? false } }
        if let classes = selection.classes.map(Set.init) { picked = picked.filter { classes.contains($0.ciClass) } }
        if let tags = selection.tags { picked = picked.filter { item in tags.allSatisfy { item.attributes[$0.key] == $0.value } } }
        guard !picked.isEmpty else {
            throw CommandError(
                .validation, "the target selection picks no configuration item (the sources are never their own targets)",
                rule: RolloutPlanRule.selectionMatchesNothing, fields: ["targets": "selects nothing"])
        }
        return picked.sorted { $0.key < $1.key }
    }

    /// Named keys and relationship anchors must be CIs the inventory holds.
    func checkKnown(in inventory: RolloutInventory) throws(CommandError) {
        var problems = RolloutFieldProblems()
        for (index, key) in (selection.keys ?? []).enumerated() where inventory[key] == nil {
            problems.add("targets.keys[\(index)]", "\(key) is no configuration item", rule: RolloutPlanRule.unknownCI)
        }
        for (index, key) in (selection.related?.anchors ?? []).enumerated() where inventory[key] == nil {
            problems.add("targets.related.anchors[\(index)]", "\(key) is no configuration item", rule: RolloutPlanRule.unknownCI)
        }
        try problems.check(.notFound, subject: "the target selection names unknown CIs")
    }

    /// The narrowest starting set: the named keys, else the related CIs, else every CI.
    func candidates(in inventory: RolloutInventory) -> [RolloutInventory.Item] {
        var keys: Set<String>? = selection.keys.map(Set.init)
        if let related = selection.related {
            let anchors = Set(related.anchors)
            let ends = inventory.relationships.lazy.filter { $0.kind == related.kind }.compactMap { relationship -> String? in
                switch related.direction {
                case .incoming: anchors.contains(relationship.target) ? relationship.source : nil
                case .outgoing: anchors.contains(relationship.source) ? relationship.target : nil
                case .unknown: nil
                }
            }
            keys = keys.map { $0.intersection(ends) } ?? Set(ends)
        }
        guard let keys else { return Array(inventory.items.values) }
        return keys.compactMap { inventory[$0] }
    }
}
