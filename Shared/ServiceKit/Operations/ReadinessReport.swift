import Foundation

/// The outcome of one readiness probe: every check's state, run concurrently.
struct ReadinessReport: Sendable {
    /// Check name to up (true) or down, in the order the checks were given.
    let results: [(name: String, up: Bool)]

    var isReady: Bool { results.allSatisfy(\.up) }

    /// Runs every check at once, so the probe takes as long as the slowest check (at most
    /// its timeout), not the sum.
    static func run(_ checks: [ReadinessCheck]) async -> ReadinessReport {
        let answers = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await check.isUp()) }
            }
            var answers = [Bool](repeating: false, count: checks.count)
            for await (index, up) in group { answers[index] = up }
            return answers
        }
        return ReadinessReport(results: zip(checks, answers).map { ($0.name, $1) })
    }

    /// `{"status":"ready","checks":{"postgres":"up"}}`, or `not_ready` with some `down`;
    /// checks in the order given, a repeated name reported once.
    var json: String {
        var seen: Set<String> = []
        let checks = results
            .filter { seen.insert($0.name).inserted }
            .map { "\(Self.quoted($0.name)):\(Self.quoted($0.up ? "up" : "down"))" }
            .joined(separator: ",")
        return "{\"status\":\(Self.quoted(isReady ? "ready" : "not_ready")),\"checks\":{\(checks)}}"
    }

    /// `text` as a JSON string; check names come from code, but escaping costs nothing.
    private static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""check""#
    }
}
