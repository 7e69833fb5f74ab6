import Contracts

/// What must go before what among a plan's targets: target A depends on target B when the
/// CMDB says "A depends_on B" or "A runs_on B" (the kinds planning's dependency queries
/// follow), so B is deployed first. Only direct relationships between two targets count;
/// a CI outside the targets does not chain two targets together.
///
/// Built once per plan; a cycle among the targets is refused (conflict) naming it, since no
/// target of a cycle can go first.
struct TargetDependencies {
    /// Target → the targets it depends on, in key order.
    let prerequisites: [String: [String]]
    /// Target → the targets that depend on it, in key order.
    let dependents: [String: [String]]

    init(targets: Set<String>, relationships: [RolloutInventory.Relationship]) throws(CommandError) {
        var prerequisites: [String: Set<String>] = [:]
        for relationship in relationships
        where CIRelationshipKind.dependencyKinds.contains(relationship.kind) && relationship.source != relationship.target
            && targets.contains(relationship.source) && targets.contains(relationship.target) {
            prerequisites[relationship.source, default: []].insert(relationship.target)
        }
        var dependents: [String: [String]] = [:]
        for (target, needs) in prerequisites {
            for need in needs { dependents[need, default: []].append(target) }
        }
        self.prerequisites = prerequisites.mapValues { $0.sorted() }
        self.dependents = dependents.mapValues { $0.sorted() }
        if let cycle = Self.findCycle(self.prerequisites) {
            let shown: [String] = cycle.count > 12 ? Array(cycle.prefix(11)) + ["…", cycle[cycle.count - 1]] : cycle
            let path = shown.joined(separator: " → ")
            throw CommandError(
                .conflict, "the targets depend on each other in a cycle, so none can go first: \(path)",
                rule: RolloutPlanRule.dependencyCycle, fields: ["targets": path])
        }
    }

    /// The targets `target` depends on.
    func prerequisites(of target: String) -> [String] { prerequisites[target] ?? [] }

    /// The first cycle found (depth first, keys in order), as a path that ends where it began.
    static func findCycle(_ prerequisites: [String: [String]]) -> [String]? {
        enum Mark { case onPath, done }
        var marks: [String: Mark] = [:]
        for start in prerequisites.keys.sorted() where marks[start] == nil {
            // An explicit stack (node, next prerequisite to visit): deep chains cannot overflow it.
            var path: [(node: String, next: Int)] = [(start, 0)]
            marks[start] = .onPath
            while let top = path.last {
                let (node, next) = (top.node, top.next)
                let needs = prerequisites[node] ?? []
                guard next < needs.count else {
                    marks[node] = .done
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let need = needs[next]
                switch marks[need] {
                case .onPath:
                    let from = path.firstIndex { $0.node == need }!
                    return path[from...].map { $0.node } + [need]
                case .done:
                    continue
                case nil:
                    marks[need] = .onPath
                    path.append((need, 0))
                }
            }
        }
        return nil
    }

    /// Each of `members`' level among `members`: 0 when it depends on none of them, else one
    /// more than the highest level of those it depends on. Targets outside `members` (placed
    /// in an earlier wave) do not count. Requires `members` to be acyclic, which `init` checked.
    func levels(of members: Set<String>) -> [String: Int] {
        var waiting: [String: Int] = [:]
        var ready: [String] = []
        for member in members {
            let count = prerequisites(of: member).filter(members.contains).count
            if count == 0 { ready.append(member) } else { waiting[member] = count }
        }
        var levels: [String: Int] = [:]
        for member in ready { levels[member] = 0 }
        while let member = ready.popLast() {
            for dependent in dependents[member] ?? [] where members.contains(dependent) {
                levels[dependent] = max(levels[dependent] ?? 0, levels[member]! + 1)
                waiting[dependent]! -= 1
                if waiting[dependent] == 0 { ready.append(dependent) }
            }
        }
        return levels
    }
}
