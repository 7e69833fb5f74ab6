import Contracts

/// The work-plan task key of one source → target rollout: `rollout-<source>-<target>`,
/// lower-cased, e.g. `rollout-ci-app-0001-ci-srv-0007`. The one place it is minted.
///
/// It is a valid task key (`^[a-z0-9][a-z0-9_.-]{0,63}$`): CI keys are ASCII `A-Z0-9-`, at
/// most 24 characters, so the key is at most 57. It is unique per pair: lower-casing is
/// one-to-one on CI keys, and a CI key always has exactly two `-`, so the key splits back
/// into its source and target one way only.
public enum RolloutTaskKey {
    public static let prefix = "rollout-"

    /// The key of the rollout of `source` to `target`; both must be valid CI keys.
    public static func make(source: String, target: String) -> String {
        assert(ConfigurationItemKey.isValid(source) && ConfigurationItemKey.isValid(target), "not CI keys")
        return "\(prefix)\(source.lowercased())-\(target.lowercased())"
    }
}
