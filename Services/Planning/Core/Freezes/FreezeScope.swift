import Contracts

/// Where a freeze applies: some sites, some classes of CI, or (both empty) everywhere.
///
/// A deployment falls under a scoped window when it touches any one of the window's sites or
/// any one of its CI classes: a freeze on site `FRA1` and on databases stops a database
/// change anywhere and any change in FRA1. Site names match exactly, as CIs record them.
public struct FreezeScope: Sendable, Hashable {
    public var sites: Set<String>
    public var ciClasses: Set<CIClass>

    /// No limit: the window applies to every deployment.
    public static let everywhere = FreezeScope()

    public init(sites: Set<String> = [], ciClasses: Set<CIClass> = []) {
        self.sites = sites
        self.ciClasses = ciClasses
    }

    /// True when neither sites nor CI classes limit the window.
    public var isEverywhere: Bool { sites.isEmpty && ciClasses.isEmpty }

    /// Whether a deployment touching `sites` and `ciClasses` falls under this scope.
    public func covers(sites touched: Set<String>, ciClasses touchedClasses: Set<CIClass>) -> Bool {
        isEverywhere || !sites.isDisjoint(with: touched) || !ciClasses.isDisjoint(with: touchedClasses)
    }

    /// What is wrong with the scope, by field: sites follow the CI rule for sites, and a CI
    /// class this version does not know is refused rather than silently never matching.
    func problems() -> [String: String] {
        var problems: [String: String] = [:]
        if sites.contains(where: { CIFieldRules.siteProblem($0) != nil }) {
            problems["scope.sites"] = "every site must be 1 to 100 characters without control characters"
        }
        if let unknown = ciClasses.first(where: { !$0.isKnown }) {
            problems["scope.ciClasses"] = unknown.knownValueProblem
        }
        return problems
    }
}
