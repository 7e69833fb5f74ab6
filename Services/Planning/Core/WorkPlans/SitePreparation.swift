/// Site preparation is done at each site on its own (access, capacity and local contacts
/// differ per site): applying a job plan to a release turns the plan's `site-preparation`
/// task into one task per site of the release's CIs, `site-preparation.fra1` and so on.
public enum SitePreparation {
    /// The key of the task that is expanded.
    public static let key = "site-preparation"

    /// `tasks` with the `site-preparation` task replaced, in its place, by one task per site
    /// (sites in the order given, repeats dropped), each with the same predecessors; a task that
    /// followed it follows all of them. Without sites, or without such a task, `tasks` as given.
    /// Keys are valid task keys whatever the site is called, and unique in the plan.
    public static func expand(_ tasks: [JobPlanTask], sites: [String]) -> [JobPlanTask] {
        guard let index = tasks.firstIndex(where: { $0.key == key }) else { return tasks }
        var seen: Set<String> = []
        let distinct = sites.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !distinct.isEmpty else { return tasks }
        let template = tasks[index]
        var taken = Set(tasks.map(\.key))
        let perSite = distinct.map { site in
            var task = template
            task.key = uniqueKey(for: site, taken: &taken)
            task.title = title(template.title, site: site)
            return task
        }
        let keys = perSite.map(\.key)
        var expanded = tasks
        expanded.replaceSubrange(index...index, with: perSite)
        for position in expanded.indices where expanded[position].predecessors.contains(key) {
            expanded[position].predecessors = expanded[position].predecessors.flatMap { $0 == key ? keys : [$0] }
        }
        return expanded
    }

    /// Longest site part that keeps a key within 64 characters (`site-preparation.` is 17).
    static let maximumSuffix = 64 - key.count - 1

    /// `site-preparation.<site>`: the site lower-cased, each run of characters a key cannot
    /// hold as one `-`, cut to fit; `-2`, `-3`… when two sites come out alike.
    static func uniqueKey(for site: String, taken: inout Set<String>) -> String {
        var suffix = ""
        for scalar in site.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" {
                suffix.unicodeScalars.append(scalar)
            } else if !suffix.hasSuffix("-") {
                suffix += "-"
            }
        }
        suffix = String(suffix.trimmingPrefix { $0 == "-" }.prefix(maximumSuffix))
        while suffix.hasSuffix("-") { suffix.removeLast() }
        if suffix.isEmpty { suffix = "site" }
        var candidate = "\(key).\(suffix)"
        var counter = 2
        while !taken.insert(candidate).inserted {
            let tail = "-\(counter)"
            candidate = "\(key).\(suffix.prefix(maximumSuffix - tail.count))\(tail)"
            counter += 1
        }
        return candidate
    }

    /// The task's title naming the site, without control characters, at most 200 characters
    /// counted as PostgreSQL counts them (code points, so combining marks cannot overflow it).
    static func title(_ title: String, site: String) -> String {
        let shown = Array(site.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(60))
        let suffix = Array(" — site ".unicodeScalars) + (shown.isEmpty ? Array("?".unicodeScalars) : shown)
        var text = String.UnicodeScalarView()
        text.append(contentsOf: title.unicodeScalars.prefix(200 - suffix.count))
        text.append(contentsOf: suffix)
        return String(text)
    }
}
