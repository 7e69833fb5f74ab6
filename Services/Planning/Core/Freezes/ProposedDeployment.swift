import Contracts
import Foundation

/// A deployment as the freeze rules see it: when it runs, `[start, end)`, and what it touches.
/// The same value serves scheduling, approval and the deploy phase's check at the moment it starts.
public struct ProposedDeployment: Sendable, Hashable {
    public var start: Date
    /// Not included: a deployment ending exactly when a freeze begins does not conflict with it.
    public var end: Date
    /// The sites of the target CIs.
    public var sites: Set<String>
    /// The classes of the target CIs.
    public var ciClasses: Set<CIClass>

    public init(start: Date, end: Date, sites: Set<String> = [], ciClasses: Set<CIClass> = []) {
        self.start = start
        self.end = end
        self.sites = sites
        self.ciClasses = ciClasses
    }
}
