import NotificationCore
import PropertyBased
import Testing

@Suite("Event patterns")
struct EventPatternTests {
    @Test(arguments: ["*", "rollout.*", "release.phase_changed", "briefing", "a.b.*", String(repeating: "a", count: 100)])
    func accepts(_ pattern: String) {
        #expect(EventPattern.problem(pattern) == nil)
    }

    @Test(arguments: [
        "", "**", "*.*", "rollout*", "rollout.*.started", "Rollout.*", "rollout.", ".rollout", "rollout..started",
        "rollout.star?ed", "rollout.started ", "release.phase-changed", "rollout.\u{0}", "r\u{E9}lease", String(repeating: "a", count: 101),
    ])
    func refuses(_ pattern: String) {
        #expect(EventPattern.problem(pattern) != nil)
    }

    @Test func matching() {
        #expect(EventPattern.matches("*", type: "release.phase_changed"))
        #expect(EventPattern.matches("rollout.*", type: "rollout.started"))
        #expect(EventPattern.matches("rollout.*", type: "rollout.target_failed"))
        #expect(!EventPattern.matches("rollout.*", type: "rollout"))
        #expect(!EventPattern.matches("rollout.*", type: "rollouts.started"))
        #expect(!EventPattern.matches("rollout.*", type: "release.phase_changed"))
        #expect(EventPattern.matches("release.phase_changed", type: "release.phase_changed"))
        #expect(!EventPattern.matches("release.phase_changed", type: "release.phase_changed_again"))
        #expect(!EventPattern.matches("release.*x", type: "release.x"), "a malformed pattern matches nothing")
    }

    /// For random types made of words: `*` matches all, a type matches itself, and `<prefix>.*`
    /// matches exactly the types that start with the prefix and a dot.
    @Test func matchingProperties() async {
        let word = Gen.int(in: 0...4).map { ["release", "rollout", "phase_changed", "started", "a_b"][$0] }
        await propertyCheck(count: 300, input: word.array(of: 1...4), word.array(of: 1...3)) { typeWords, prefixWords in
            let type = typeWords.joined(separator: ".")
            let prefix = prefixWords.joined(separator: ".")
            #expect(EventPattern.problem(type) == nil)
            #expect(EventPattern.matches("*", type: type))
            #expect(EventPattern.matches(type, type: type))
            let expected = typeWords.count > prefixWords.count && Array(typeWords.prefix(prefixWords.count)) == prefixWords
            #expect(EventPattern.matches(prefix + ".*", type: type) == expected)
        }
    }
}
