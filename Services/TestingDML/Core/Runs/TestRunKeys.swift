import Contracts
import Foundation

/// The keys a test run is named by: the release it tests (checked before it reaches SQL)
/// and, for a person's request, the task key minted for it.
public enum TestRunKeys {
    public static let maxReleaseKey = 40

    public static let maxTaskKey = 100

    /// A well-formed release key, or a validation refusal naming the field.
    public static func checkReleaseKey(_ key: String) throws(CommandError) {
        try check(key, field: "releaseKey", max: maxReleaseKey, rule: "testing.release_key")
    }

    /// The keys of `testing.run_tests`: the release's, and the task's it finishes.
    public static func check(_ command: RunTests) throws(CommandError) {
        try checkReleaseKey(command.releaseKey)
        try check(command.taskKey, field: "taskKey", max: maxTaskKey, rule: "testing.task_key")
    }

    private static func check(_ key: String, field: String, max: Int, rule: String) throws(CommandError) {
        let fine = !key.isEmpty && key.unicodeScalars.count <= max && !key.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard fine else {
            let problem = "must be 1 to \(max) characters without control characters"
            throw CommandError(.validation, "\(field) \(problem)", rule: rule, fields: [field: problem])
        }
    }

    /// `manual-<8 hex digits>`: the task key of a run a person asked for (not one of planning's tasks).
    public static func manualTaskKey() -> String {
        "manual-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
    }
}
