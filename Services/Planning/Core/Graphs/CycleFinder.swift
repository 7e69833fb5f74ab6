/// Finds dependency cycles in a directed graph of string keys without recursion: CIs that
/// depend on each other, tasks whose predecessors lead back to them.
///
/// Tarjan's algorithm splits the graph into strongly connected components in O(V + E);
/// every component with two or more CIs contains at least one cycle, and one concrete
/// cycle is reported per component (shortest one through its smallest key, found by BFS).
struct CycleFinder {
    /// Edges source → targets (source depends on target). A key listed as its own target is
    /// not reported here: callers refuse self-edges before looking for cycles.
    let edges: [String: [String]]

    /// One cycle per cyclic component, each starting at its smallest key and listed in
    /// edge order (`[A, B, C]` means A → B → C → A); cycles sorted by their first key.
    func cycles() -> [[String]] {
        components().filter { $0.count > 1 }.map(cycle(in:)).sorted { $0.lexicographicallyPrecedes($1) }
    }

    private func components() -> [Set<String>] {
        var index: [String: Int] = [:]
        var lowLink: [String: Int] = [:]
        var onStack: Set<String> = []
        var stack: [String] = []
        var result: [Set<String>] = []
        var counter = 0
        let nodes = Set(edges.keys).union(edges.values.joined()).sorted()
        for root in nodes where index[root] == nil {
            // Frames of the explicit DFS: a node and the position of its next edge.
            var frames: [(node: String, next: Int)] = [(root, 0)]
            index[root] = counter; lowLink[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while let frame = frames.last {
                let targets = edges[frame.node] ?? []
                if frame.next < targets.count {
                    frames[frames.count - 1].next += 1
                    let target = targets[frame.next]
                    if index[target] == nil {
                        index[target] = counter; lowLink[target] = counter; counter += 1
                        stack.append(target); onStack.insert(target)
                        frames.append((target, 0))
                    } else if onStack.contains(target) {
                        lowLink[frame.node] = min(lowLink[frame.node, default: 0], index[target, default: 0])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last {
                    lowLink[parent.node] = min(lowLink[parent.node, default: 0], lowLink[frame.node, default: 0])
                }
                if lowLink[frame.node] == index[frame.node] {
                    var component: Set<String> = []
                    while let member = stack.popLast() {
                        onStack.remove(member)
                        component.insert(member)
                        if member == frame.node { break }
                    }
                    result.append(component)
                }
            }
        }
        return result
    }

    /// The shortest cycle through the component's smallest key, staying inside it.
    private func cycle(in component: Set<String>) -> [String] {
        guard let start = component.min() else { return [] }
        var previous: [String: String] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for target in edges[node] ?? [] where component.contains(target) {
                if target == start {
                    var path = [node]
                    while let before = previous[path[0]] { path.insert(before, at: 0) }
                    return path
                }
                if previous[target] == nil && target != start {
                    previous[target] = node
                    queue.append(target)
                }
            }
        }
        return component.sorted()
    }
}
