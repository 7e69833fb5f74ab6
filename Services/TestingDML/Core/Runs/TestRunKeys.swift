import Contracts
import Foundation

/// The keys a test run is named by: the release it tests (checked before it reaches SQL)
/// and, for a person's request, the task key minted for it.
public enum TestRunKeys {
    public static let maxReleaseKey = 40

    /// A well-formed release key, or a validation refusal naming the field.
    public static func checkReleaseKey(_ key: String) throws(CommandError) {
        let fine = !key.isEmpty && key.count <= maxReleaseKey && !key.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard fine else {
            let problem = "must be 1 to \(maxReleaseKey) characters without control characters"
            throw CommandError(.validation, "releaseKey \(problem)", rule: "testing.release_key", fields: ["releaseKey": problem])
        }
    }

    /// `manual-<8 hex digits>`: the task key of a run a person asked for (not one of planning's tasks).
    public static func manualTaskKey() -> String {
        "manual-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
    }
}
