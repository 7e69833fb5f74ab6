import Contracts

/// A command must act on the release its sender saw (`ReleaseViewExpectation`): when the
/// phase or version it names is not the release's any more, it is refused as a conflict that
/// says what changed (`releases.stale_view`), before any other rule. The phase is always
/// checked; the version when given.
public enum StaleViewRule {
    public static func require(
        _ seen: any ReleaseViewExpectation, phase: ReleasePhase, status: ReleaseStatus, version: Int
    ) throws(CommandError) {
        var fields: [String: String] = [:]
        if seen.expectedPhase != phase {
            fields["expectedPhase"] = "was \(seen.expectedPhase.rawValue); the release is now in \(phase.rawValue)"
        }
        if let expected = seen.expectedVersion, expected != version {
            fields["expectedVersion"] = "was \(expected); the release is now at version \(version)"
        }
        guard fields.isEmpty else {
            throw CommandError(
                .conflict,
                "\(seen.releaseKey) changed since it was shown: it is now \(phase.rawValue)/\(status.rawValue), version \(version); reload it and decide again",
                rule: "releases.stale_view", fields: fields)
        }
    }
}
