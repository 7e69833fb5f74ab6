/// Who may call each operation of the gateway's OpenAPI document, by `operationId`: one table
/// for every route (function-level authorization). An operation missing here is refused for
/// everyone, and `GatewayAccessTests` fails, so a new route cannot ship without a decision.
/// Object-level checks (an approver acts only on releases whose gate names one of their
/// groups) come on top, in the route.
public enum GatewayAccess {
    /// Who an operation is for.
    public enum Rule: Sendable, Equatable {
        /// No token needed (the document itself).
        case everyone
        /// Any authenticated user, roles or none.
        case authenticated
        /// Users holding at least one of these roles.
        case roles(Set<Role>)
    }

    /// Every role may read releases, the CMDB and the configuration.
    public static let readers: Set<Role> = Set(Role.allCases)
    /// Who runs a release through its lifecycle.
    static let releaseManagers: Set<Role> = [.releaseManager]
    /// Who does the work of a release's tasks.
    static let taskWorkers: Set<Role> = [.releaseManager, .approver, .buildEngineer, .tester, .rolloutOperator]
    /// Who keeps the CMDB and the release templates, exit criteria and job plans.
    static let maintainers: Set<Role> = [.releaseManager, .admin]
    /// Who assembles a release's image: its spec, its uploaded files, its builds.
    static let imageBuilders: Set<Role> = [.buildEngineer, .releaseManager, .admin]
    /// Who tests an image and decides whether it goes into the DML (and may check the DML).
    static let imageTesters: Set<Role> = [.tester, .releaseManager, .admin]
    /// Who plans, starts and steers a release's rollout (issue 13).
    static let rolloutOperators: Set<Role> = [.rolloutOperator, .releaseManager]

    public static let rules: [String: Rule] = [
        "getOpenAPIDocument": .everyone,
        "createSession": .everyone,
        // The feed at a subscription URL: the token in the path is the credential (checked in the route).
        "getSubscribedCalendarFeed": .everyone,
        "getMe": .authenticated, "deleteSession": .authenticated, "enrollTOTP": .authenticated,
        // Reading: every role.
        "listReleases": .roles(readers), "getRelease": .roles(readers), "getReleaseImpact": .roles(readers),
        "getReleaseAudit": .roles(readers), "verifyReleaseAudit": .roles(readers), "getReleaseEvents": .roles(readers),
        "listCIs": .roles(readers), "getCI": .roles(readers), "getCIDependents": .roles(readers),
        "getCIDependencies": .roles(readers), "listTemplates": .roles(readers), "listGroups": .roles(readers),
        "listExitCriteria": .roles(readers), "getWorkPlan": .roles(readers),
        "listFreezeWindows": .roles(readers), "getCalendarFeed": .roles(readers), "issueCalendarFeedToken": .roles(readers),
        "getDeploymentGuards": .roles(readers),
        "getReleaseImage": .roles(readers), "listTestRuns": .roles(readers), "getTestRun": .roles(readers),
        "listDMLEntries": .roles(readers), "getDMLEntry": .roles(readers), "downloadDMLContent": .roles(readers),
        // Images, test runs, acceptance and the DML (issue 12).
        "saveImageSpec": .roles(imageBuilders), "uploadImageArtifact": .roles(imageBuilders),
        "requestImageBuild": .roles(imageBuilders),
        "requestTestRun": .roles(imageTesters), "decideAcceptance": .roles(imageTesters), "verifyDML": .roles(imageTesters),
        // A release's rollout (issue 13): reading for every role; planning, starting and steering for
        // rollout operators and release managers; opening a wave behind an approval gate for approvers too.
        "getRollout": .roles(readers), "listRolloutTargets": .roles(readers), "getRolloutTarget": .roles(readers),
        "planRollout": .roles(rolloutOperators), "startRollout": .roles(rolloutOperators), "controlRollout": .roles(rolloutOperators),
        "approveRolloutWave": .roles([.approver, .releaseManager]),
        // Notifications (issue 14): one's own contact points, subscriptions, preferences and feed for
        // everyone signed in (shipboard-notify checks, per subscription, that it is theirs); the
        // delivery log, the communication plan, site contacts and templates readable by every role;
        // site contacts and templates written by whoever runs releases; another user's contacts by admins.
        "getMyContacts": .authenticated, "setMyContacts": .authenticated, "setUserContacts": .roles([.admin]),
        "listNotificationSubscriptions": .authenticated, "createNotificationSubscription": .authenticated,
        "deleteNotificationSubscription": .authenticated, "listNotificationPreferences": .authenticated,
        "setNotificationPreference": .authenticated, "getNotificationFeed": .authenticated, "markNotificationsRead": .authenticated,
        "getSiteContacts": .roles(readers), "listReleaseNotifications": .roles(readers), "exportReleaseNotifications": .roles(readers),
        "getCommunicationPlan": .roles(readers), "listNotificationTemplates": .roles(readers), "getNotificationTemplate": .roles(readers),
        "setSiteContacts": .roles(maintainers), "saveNotificationTemplate": .roles(maintainers),
        "previewNotificationTemplate": .roles(maintainers),
        // Reports (issue 15): a release's status report and the portfolio, for every role that reads releases.
        "getReleaseReport": .roles(readers), "getPortfolioReport": .roles(readers),
        // Removing an image from the DML: whoever runs releases.
        "retireDMLEntry": .roles(maintainers),
        // A release's record and lifecycle: release managers.
        "createRelease": .roles(releaseManagers), "updateRelease": .roles(releaseManagers),
        "submitRelease": .roles(releaseManagers), "advanceRelease": .roles(releaseManagers),
        "holdRelease": .roles(releaseManagers), "resumeRelease": .roles(releaseManagers),
        "cancelRelease": .roles(releaseManagers), "closeRelease": .roles(releaseManagers),
        "addChange": .roles(releaseManagers), "removeChange": .roles(releaseManagers),
        "applyJobPlan": .roles(releaseManagers), "setAutoAdvance": .roles(releaseManagers), "addWorkPlanTask": .roles(releaseManagers),
        "editWorkPlanTask": .roles(releaseManagers), "removeWorkPlanTask": .roles(releaseManagers),
        "overrideDeploymentGuards": .roles(releaseManagers),
        // Working tasks: whoever may own one (planning checks it is theirs, per task).
        "actOnTask": .roles(taskWorkers),
        // Decisions at a gate: approvers (and, per release, only members of the gate's group).
        "approveRelease": .roles([.approver]), "rejectRelease": .roles([.approver]),
        // The CMDB, templates and exit criteria.
        "importCIs": .roles(maintainers), "relateCIs": .roles(maintainers), "unrelateCIs": .roles(maintainers),
        "defineTemplate": .roles(maintainers), "retireTemplate": .roles(maintainers),
        "configureExitCriterion": .roles(maintainers), "saveJobPlan": .roles(maintainers),
        "createFreezeWindow": .roles(maintainers), "replaceFreezeWindow": .roles(maintainers), "deleteFreezeWindow": .roles(maintainers),
        // Who may approve, and who may log in: admins only.
        "addGroupMember": .roles([.admin]), "removeGroupMember": .roles([.admin]), "setGroupAssignment": .roles([.admin]),
        "listUsers": .roles([.admin]), "createUser": .roles([.admin]), "issueToken": .roles([.admin]),
        "revokeToken": .roles([.admin]), "listRolePolicies": .roles([.admin]), "setRolePolicy": .roles([.admin]),
    ]

    /// Whether `roles` (nil: not authenticated) may call `operationId`.
    public static func allows(_ operationId: String, roles: Set<Role>?) -> Bool {
        switch rules[operationId] {
        case .everyone: true
        case .authenticated: roles != nil
        case .roles(let allowed): !(roles ?? []).isDisjoint(with: allowed)
        case nil: false
        }
    }
}
