import Contracts

/// Which target CIs go in which wave, and in what order inside it.
///
/// - Sites run in the configured order; sites not named follow in code-point order of their
///   names. A site named in the order that no target is at is refused (likely a typo).
/// - The canary wave (optional) takes `canary` targets round-robin over the sites in that
///   order, each site's first eligible target by key; a target is eligible once every target
///   it depends on is already a canary, so the canary wave holds exactly `canary` targets.
/// - Then one wave per site, holding the site's targets no earlier wave took, plus every
///   target they depend on that no earlier wave took, from any site: targets others depend
///   on go first, across waves too. A site whose targets all went earlier has no wave.
/// - Inside a wave, targets go in dependency levels (level 0 depends on none of the wave's
///   targets; level n+1 on some of level n at most); inside a level by site order, then key.
///   So a target never comes before, or in the same level as, one it depends on.
public struct WaveLayout: Sendable, Equatable {
    public struct Wave: Sendable, Equatable {
        public var kind: PlannedWaveKind
        /// The wave's site first (canary: all its sites in site order), then sites of pulled-in targets.
        public var sites: [String]
        /// Dependency levels, each a list of targets in deploy order.
        public var levels: [[RolloutInventory.Item]]

        public var targets: [RolloutInventory.Item] { levels.flatMap { $0 } }
    }

    public let waves: [Wave]
    /// Every site of the targets, in the order their waves run.
    public let siteSequence: [String]

    /// Lays out `targets` (distinct, each at a site). Refuses a target at no site, a site order
    /// naming a site no target is at, or a canary that leaves nothing for the site waves.
    init(targets: [RolloutInventory.Item], siteOrder: [String], canary: Int?, dependencies: TargetDependencies) throws(CommandError) {
        let sited = try Self.requireSites(targets)
        let sequence = try Self.siteSequence(of: sited.map { $0.site }, order: siteOrder)
        let rank = Dictionary(uniqueKeysWithValues: sequence.enumerated().map { ($1, $0) })
        let bySite = Dictionary(grouping: sited) { $0.site }.mapValues { $0.map { $0.item }.sorted { $0.key < $1.key } }
        var placed: Set<String> = []
        var waves: [Wave] = []
        func wave(_ kind: PlannedWaveKind, _ members: [RolloutInventory.Item], leadingSite: String?) -> Wave {
            let keys = Set(members.map(\.key))
            let levels = dependencies.levels(of: keys)
            let ordered = members.sorted { (levels[$0.key]!, rank[$0.site!]!, $0.key) < (levels[$1.key]!, rank[$1.site!]!, $1.key) }
            let grouped = Dictionary(grouping: ordered) { levels[$0.key]! }.sorted { $0.key < $1.key }.map(\.value)
            let others = Set(members.compactMap(\.site)).subtracting(leadingSite.map { [$0] } ?? []).sorted { rank[$0]! < rank[$1]! }
            return Wave(kind: kind, sites: (leadingSite.map { [$0] } ?? []) + others, levels: grouped)
        }
        if let canary {
            guard canary < sited.count else {
                throw CommandError(
                    .validation, "a canary of \(canary) target(s) leaves none of the \(sited.count) target(s) for the site waves",
                    rule: RolloutPlanRule.canarySize, fields: ["canary": "must be fewer than the \(sited.count) targets"])
            }
            let picks = Self.canaries(canary, bySite: bySite, sequence: sequence, dependencies: dependencies)
            placed.formUnion(picks.map(\.key))
            waves.append(wave(.canary, picks, leadingSite: nil))
        }
        let byKey = Dictionary(uniqueKeysWithValues: sited.map { ($0.item.key, $0.item) })
        for site in sequence {
            let own = (bySite[site] ?? []).filter { !placed.contains($0.key) }
            guard !own.isEmpty else { continue }
            // Pull in what the site's targets depend on, transitively, that no earlier wave holds.
            var members = Set(own.map(\.key))
            var pending = Array(members)
            while let key = pending.popLast() {
                for need in dependencies.prerequisites(of: key) where !placed.contains(need) && members.insert(need).inserted {
                    pending.append(need)
                }
            }
            placed.formUnion(members)
            waves.append(wave(.site, members.map { byKey[$0]! }, leadingSite: site))
        }
        self.waves = waves
        self.siteSequence = sequence
    }

    /// Every target with its site, or a refusal naming those at no site.
    static func requireSites(_ targets: [RolloutInventory.Item]) throws(CommandError) -> [(item: RolloutInventory.Item, site: String)] {
        let siteless = targets.filter { $0.site == nil }.map(\.key).sorted()
        guard siteless.isEmpty else {
            let shown = siteless.prefix(10).joined(separator: ", ") + (siteless.count > 10 ? ", …" : "")
            throw CommandError(
                .validation, "\(siteless.count) selected target(s) are at no site, and deploy jobs are routed by site: \(shown)",
                rule: RolloutPlanRule.targetWithoutSite, fields: ["targets": shown])
        }
        return targets.map { ($0, $0.site!) }
    }

    /// The configured order, then the other sites in code-point order; refuses a named site no target is at.
    static func siteSequence(of sites: [String], order: [String]) throws(CommandError) -> [String] {
        let present = Set(sites)
        var problems = RolloutFieldProblems()
        for (index, site) in order.enumerated() where !present.contains(site) {
            problems.add("siteOrder[\(index)]", "names \(site), where no selected target is", rule: RolloutPlanRule.siteOrderUnknown)
        }
        try problems.check(subject: "the site order is refused")
        let named = Set(order)
        return order + present.subtracting(named).sorted()
    }

    /// `count` targets round-robin over the sites, each site's first eligible one by key.
    static func canaries(
        _ count: Int, bySite: [String: [RolloutInventory.Item]], sequence: [String], dependencies: TargetDependencies
    ) -> [RolloutInventory.Item] {
        var picks: [RolloutInventory.Item] = []
        var picked: Set<String> = []
        while picks.count < count {
            var progressed = false
            for site in sequence where picks.count < count {
                let eligible = bySite[site]?.first { item in
                    !picked.contains(item.key) && dependencies.prerequisites(of: item.key).allSatisfy(picked.contains)
                }
                guard let eligible else { continue }
                picks.append(eligible)
                picked.insert(eligible.key)
                progressed = true
            }
            // Some target of an acyclic set always has every prerequisite picked; this only guards.
            if !progressed { break }
        }
        return picks
    }
}
