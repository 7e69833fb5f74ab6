import Contracts
import Foundation

/// The keys a test run is named by: the release it tests (checked before it reaches SQL)
/// and, for a person's request, the task key minted for it.
public enum TestRunKeys {
    public static let maxReleaseKey = 40

    public static let maxTaskKey = 100

    /// A well-formed release key, or a validation refusal naming the field.
    public static func checkReleaseKey(_ key: String) throws(CommandError) {
        try ShortText.check(key, field: "releaseKey", max: maxReleaseKey, rule: "testing.release_key")
    }

    /// The keys of `testing.run_tests`: the release's, and the task's it finishes.
    public static func check(_ command: RunTests) throws(CommandError) {
        try checkReleaseKey(command.releaseKey)
        try ShortText.check(command.taskKey, field: "taskKey", max: maxTaskKey, rule: "testing.task_key")
    }

    /// `manual-<8 hex digits>`: the task key of a run a person asked for (not one of planning's tasks).
    public static func manualTaskKey() -> String {
        "manual-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
    }
}
