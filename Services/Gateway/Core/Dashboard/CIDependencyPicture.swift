import PlanningCore

/// A picture of a release's CIs and their dependencies, laid out in layers: a CI stands one
/// column right of the rightmost CI it relies on (a relationship's target), so what others
/// depend on is on the left and every arrow points left. Deterministic: the same CIs and
/// relationships always give the same drawing (keys sorted, cycles broken at the edge that
/// closes them in that order). At most ``maxNodes`` CIs are drawn, the release's own first;
/// ``omitted`` says how many were left out. Positions are in SVG units; only the CIs' keys
/// and numbers reach the drawing.
public struct CIDependencyPicture: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public let key: String
        /// A CI a change of the release names (drawn emphasised).
        public let changed: Bool
        public let layer: Int
        public let x: Int, y: Int
    }

    public struct Edge: Sendable, Equatable {
        public let source: String, target: String, kind: String
        /// From the source's left side to the target's right side.
        public let x1: Int, y1: Int, x2: Int, y2: Int
    }

    public static let maxNodes = 60
    public static let nodeWidth = 150, nodeHeight = 26, columnGap = 60, rowGap = 14, margin = 10

    public let nodes: [Node]
    public let edges: [Edge]
    public let omitted: Int
    public let width: Int
    public let height: Int

    /// `changed`: the CIs the release's changes name; `related`: the others to show (their
    /// dependents and dependencies); `relationships` may name CIs of neither (left out).
    public init(changed: Set<String>, related: Set<String>, relationships: [CIRelationship]) {
        let ordered = changed.sorted() + related.subtracting(changed).sorted()
        let shown = Array(ordered.prefix(Self.maxNodes))
        let kept = Set(shown)
        omitted = ordered.count - shown.count
        let links = Set(relationships.filter { kept.contains($0.source) && kept.contains($0.target) && $0.source != $0.target })
            .sorted { ($0.source, $0.target, $0.kind.rawValue) < ($1.source, $1.target, $1.kind.rawValue) }
        let layers = Self.layers(of: shown.sorted(), links)
        var rows: [Int: Int] = [:]
        var placed: [String: Node] = [:]
        for key in shown.sorted(by: { (layers[$0] ?? 0, $0) < (layers[$1] ?? 0, $1) }) {
            let layer = layers[key] ?? 0
            let row = rows[layer, default: 0]
            rows[layer] = row + 1
            placed[key] = Node(
                key: key, changed: changed.contains(key), layer: layer,
                x: Self.margin + layer * (Self.nodeWidth + Self.columnGap), y: Self.margin + row * (Self.nodeHeight + Self.rowGap))
        }
        nodes = shown.sorted { (placed[$0]!.layer, placed[$0]!.y) < (placed[$1]!.layer, placed[$1]!.y) }.map { placed[$0]! }
        edges = links.map { link in
            let from = placed[link.source]!, to = placed[link.target]!
            return Edge(source: link.source, target: link.target, kind: link.kind.rawValue,
                        x1: from.x, y1: from.y + Self.nodeHeight / 2, x2: to.x + Self.nodeWidth, y2: to.y + Self.nodeHeight / 2)
        }
        let columns = (layers.values.max() ?? 0) + 1
        width = shown.isEmpty ? 0 : 2 * Self.margin + columns * Self.nodeWidth + (columns - 1) * Self.columnGap
        height = shown.isEmpty ? 0 : 2 * Self.margin + (rows.values.max() ?? 0) * (Self.nodeHeight + Self.rowGap)
    }

    /// Each key's layer: 0 when it relies on nothing shown, else one more than the highest of
    /// what it relies on. A relationship that would close a cycle (met while its target is
    /// still being placed) does not count.
    static func layers(of keys: [String], _ links: [CIRelationship]) -> [String: Int] {
        var reliesOn: [String: [String]] = [:]
        for link in links { reliesOn[link.source, default: []].append(link.target) }
        var layer: [String: Int] = [:]
        var placing: Set<String> = []
        func place(_ key: String) -> Int {
            if let known = layer[key] { return known }
            placing.insert(key)
            var own = 0
            for target in reliesOn[key] ?? [] where !placing.contains(target) { own = max(own, place(target) + 1) }
            placing.remove(key)
            layer[key] = own
            return own
        }
        for key in keys { _ = place(key) }
        return layer
    }
}
