/// The schemas notify writes (its own) and reads (the directory and the release facts it does
/// not copy: the gateway's users and contact points, planning's releases, groups and CIs,
/// rollout's waves). Tests give each run its own.
public struct NotifySchemas: Sendable {
    public var notify: String
    public var planning: String
    public var gateway: String
    public var rollout: String

    public init(notify: String = "notify", planning: String = "planning", gateway: String = "gateway", rollout: String = "rollout") {
        self.notify = notify
        self.planning = planning
        self.gateway = gateway
        self.rollout = rollout
    }
}
