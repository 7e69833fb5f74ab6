/// The stable rule codes a rollout-plan refusal names (`CommandError.rule`): the one home for
/// them, so clients and tests match on the code, never on the sentence.
public enum RolloutPlanRule {
    // Field rules (validation): what a person typed, checked before the CMDB is read.
    /// The release key is not 1 to 40 characters without control characters.
    public static let releaseKey = "rollout.release_key"
    /// Not a CI key like `CI-APP-0001`.
    public static let ciKey = "rollout.ci_key"
    /// A text (site, tag) is empty, too long or holds a control character.
    public static let text = "rollout.text"
    /// A list is empty where one is given, or longer than allowed.
    public static let listSize = "rollout.list_size"
    /// The same CI, site or class is named twice in one list.
    public static let duplicate = "rollout.duplicate"
    /// A class, relationship kind, direction, gate, scope or threshold kind this version does not know.
    public static let unknownValue = "rollout.unknown_value"
    /// A target selection with no criterion at all.
    public static let selectionEmpty = "rollout.selection_empty"
    /// The canary is not 1 to 1,000 targets, or leaves no target for the site waves.
    public static let canarySize = "rollout.canary_size"
    /// The window is not 1 to 1,000 deploy jobs.
    public static let window = "rollout.window"
    /// A count below 1 or above the plan's rollouts, or a percentage outside 1 to 100.
    public static let threshold = "rollout.threshold"
    /// A pause or soak without its seconds (1 to 7 days), or seconds on another gate.
    public static let gate = "rollout.gate"

    // Rules against the CMDB and the release.
    /// A source, target or anchor key that no CI has (not found).
    public static let unknownCI = "rollout.unknown_ci"
    /// No source given and the release has no affected CI of class software or application (conflict).
    public static let noSources = "rollout.no_sources"
    /// The selection picks no CI (other than the sources).
    public static let selectionMatchesNothing = "rollout.selection_matches_nothing"
    /// A selected target is at no site: deploy jobs are routed by site.
    public static let targetWithoutSite = "rollout.target_without_site"
    /// The site order names a site none of the targets is at.
    public static let siteOrderUnknown = "rollout.site_order_unknown"
    /// The targets depend on each other in a cycle, so none can go first (conflict).
    public static let dependencyCycle = "rollout.dependency_cycle"
    /// More rollouts than one plan may hold.
    public static let tooLarge = "rollout.too_large"
}
