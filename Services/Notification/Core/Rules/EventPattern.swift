/// Which event types a subscription (or a stored template) is about: `*` (every type),
/// `<prefix>.*` (every type under a prefix, e.g. `rollout.*` matches `rollout.started` and
/// `rollout.target_failed`, not `rollout` itself) or one exact type (`release.phase_changed`).
///
/// A type is dot-separated words of `[a-z_]`; nothing else is a pattern (no `*` inside a word,
/// no `?`, no regular expressions), so a pattern is cheap to match and reads the same to
/// everyone. The database's CHECK on `event_pattern` is looser; this is the rule.
public enum EventPattern {
    public static let maxLength = 100

    /// What is wrong with `pattern`, worded for the person who typed it, or nil.
    public static func problem(_ pattern: String) -> String? {
        guard (1...maxLength).contains(pattern.utf8.count) else { return "must be 1 to \(maxLength) characters" }
        if pattern == "*" { return nil }
        var words = pattern.split(separator: ".", omittingEmptySubsequences: false)
        if words.count > 1, words.last == "*" { words.removeLast() }
        guard words.allSatisfy(isWord) else {
            return "must be *, a prefix followed by .* (rollout.*) or an event type (release.phase_changed): words of a-z and _ joined by dots"
        }
        return nil
    }

    /// True when the event type `type` is one `pattern` names. A malformed pattern matches nothing.
    public static func matches(_ pattern: String, type: String) -> Bool {
        guard problem(pattern) == nil else { return false }
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") {
            let prefix = pattern.dropLast(1)  // keeps the dot: `rollout.` never matches `rollouts.x`
            return type.hasPrefix(prefix) && type.count > prefix.count
        }
        return pattern == type
    }

    private static func isWord(_ word: Substring) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") }
    }
}
