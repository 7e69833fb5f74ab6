import Foundation
import GatewayCore
import Testing

/// Every operation of the OpenAPI document × every role (and no token), over the real
/// gateway with planning behind it. The expected matrix is written out here, apart from the
/// gateway's own table, so a rule changed by mistake fails; an operation of the document
/// missing here fails too.
@Suite("Gateway authorization matrix over HTTP", .serialized)
struct AuthorizationMatrixTests {
    static let everyRole = Set(Role.allCases)
    static let imageBuilders: Set<Role> = [.buildEngineer, .releaseManager, .admin]
    static let imageTesters: Set<Role> = [.tester, .releaseManager, .admin]
    static let rolloutOperators: Set<Role> = [.rolloutOperator, .releaseManager]

    /// Who may call each operation, and a request that reaches past authorization without
    /// changing anything (an unknown release, an invalid body, a malformed name).
    nonisolated(unsafe) static let matrix: [(operation: String, method: String, path: String, body: Any?, allowed: Set<Role>?)] = [
        ("getOpenAPIDocument", "GET", "/api/v1/openapi.json", nil, nil),
        ("getMe", "GET", "/api/v1/me", nil, everyRole),
        ("createSession", "POST", "/api/v1/session", [:] as [String: Any], nil),
        ("deleteSession", "DELETE", "/api/v1/session", nil, everyRole),
        ("enrollTOTP", "POST", "/api/v1/me/totp", nil, everyRole),
        ("listRolePolicies", "GET", "/api/v1/roles", nil, [.admin]),
        ("setRolePolicy", "PUT", "/api/v1/roles/viewer/policy", [:] as [String: Any], [.admin]),
        ("listReleases", "GET", "/api/v1/releases?limit=1", nil, everyRole),
        ("createRelease", "POST", "/api/v1/releases", ["title": 1], [.releaseManager]),
        ("getRelease", "GET", "/api/v1/releases/REL-999999997", nil, everyRole),
        ("updateRelease", "PATCH", "/api/v1/releases/REL-999999997", [:] as [String: Any], [.releaseManager]),
        ("submitRelease", "POST", "/api/v1/releases/REL-999999997/submit", nil, [.releaseManager]),
        ("approveRelease", "POST", "/api/v1/releases/REL-999999997/approve", ["expectedPhase": "initiate"], [.approver]),
        ("rejectRelease", "POST", "/api/v1/releases/REL-999999997/reject", ["reason": "no", "expectedPhase": "initiate"], [.approver]),
        ("advanceRelease", "POST", "/api/v1/releases/REL-999999997/advance", ["expectedPhase": "plan"], [.releaseManager]),
        ("holdRelease", "POST", "/api/v1/releases/REL-999999997/hold", ["expectedPhase": "plan"], [.releaseManager]),
        ("resumeRelease", "POST", "/api/v1/releases/REL-999999997/resume", ["expectedPhase": "plan"], [.releaseManager]),
        ("cancelRelease", "POST", "/api/v1/releases/REL-999999997/cancel", ["expectedPhase": "plan"], [.releaseManager]),
        ("closeRelease", "POST", "/api/v1/releases/REL-999999997/close", ["expectedPhase": "review"], [.releaseManager]),
        ("addChange", "POST", "/api/v1/releases/REL-999999997/changes", [:] as [String: Any], [.releaseManager]),
        ("removeChange", "DELETE", "/api/v1/releases/REL-999999997/changes/CHG-1", nil, [.releaseManager]),
        ("getReleaseImpact", "GET", "/api/v1/releases/REL-999999997/impact", nil, everyRole),
        ("getReleaseAudit", "GET", "/api/v1/releases/REL-999999997/audit", nil, everyRole),
        ("verifyReleaseAudit", "GET", "/api/v1/releases/REL-999999997/audit/verification", nil, everyRole),
        ("getReleaseEvents", "GET", "/api/v1/releases/REL-999999997/events", nil, everyRole),
        ("listCIs", "GET", "/api/v1/cis?limit=1", nil, everyRole),
        ("importCIs", "POST", "/api/v1/cis/import", [:] as [String: Any], [.releaseManager, .admin]),
        ("getCI", "GET", "/api/v1/cis/CI-NONE-999999", nil, everyRole),
        ("relateCIs", "POST", "/api/v1/cis/CI-NONE-999999/relationships", [:] as [String: Any], [.releaseManager, .admin]),
        ("unrelateCIs", "DELETE", "/api/v1/cis/CI-NONE-999999/relationships/depends_on/CI-NONE-999998", nil, [.releaseManager, .admin]),
        ("getCIDependents", "GET", "/api/v1/cis/CI-NONE-999999/dependents", nil, everyRole),
        ("getCIDependencies", "GET", "/api/v1/cis/CI-NONE-999999/dependencies", nil, everyRole),
        ("listTemplates", "GET", "/api/v1/templates", nil, everyRole),
        ("defineTemplate", "PUT", "/api/v1/templates/matrix-test", [:] as [String: Any], [.releaseManager, .admin]),
        ("retireTemplate", "DELETE", "/api/v1/templates/no-such-template-matrix", nil, [.releaseManager, .admin]),
        ("listGroups", "GET", "/api/v1/groups", nil, everyRole),
        ("addGroupMember", "PUT", "/api/v1/groups/Not%20A%20Name/members/x", nil, [.admin]),
        ("removeGroupMember", "DELETE", "/api/v1/groups/Not%20A%20Name/members/x", nil, [.admin]),
        ("setGroupAssignment", "PUT", "/api/v1/groups/Not%20A%20Name/assignment", ["policy": "least_loaded"] as [String: Any], [.admin]),
        ("listExitCriteria", "GET", "/api/v1/exit-criteria", nil, everyRole),
        ("configureExitCriterion", "PUT", "/api/v1/exit-criteria/plan/changes_added", [:] as [String: Any], [.releaseManager, .admin]),
        ("saveJobPlan", "POST", "/api/v1/job-plans", [:] as [String: Any], [.releaseManager, .admin]),
        ("getWorkPlan", "GET", "/api/v1/releases/REL-999999997/work-plan", nil, everyRole),
        ("applyJobPlan", "POST", "/api/v1/releases/REL-999999997/work-plan", ["jobPlanName": 1], [.releaseManager]),
        ("setAutoAdvance", "PUT", "/api/v1/releases/REL-999999997/auto-advance", ["enabled": "x"], [.releaseManager]),
        ("addWorkPlanTask", "POST", "/api/v1/releases/REL-999999997/work-plan/tasks", [:] as [String: Any], [.releaseManager]),
        ("editWorkPlanTask", "PATCH", "/api/v1/releases/REL-999999997/work-plan/tasks/structure", ["position": "x"], [.releaseManager]),
        ("removeWorkPlanTask", "DELETE", "/api/v1/releases/REL-999999997/work-plan/tasks/structure", nil, [.releaseManager]),
        ("actOnTask", "POST", "/api/v1/releases/REL-999999997/tasks/structure/actions", [:] as [String: Any],
         [.releaseManager, .approver, .buildEngineer, .tester, .rolloutOperator]),
        ("listFreezeWindows", "GET", "/api/v1/freeze-windows", nil, everyRole),
        ("createFreezeWindow", "POST", "/api/v1/freeze-windows", [:] as [String: Any], [.releaseManager, .admin]),
        ("replaceFreezeWindow", "PUT", "/api/v1/freeze-windows/\(UUID().uuidString.lowercased())", [:] as [String: Any], [.releaseManager, .admin]),
        ("deleteFreezeWindow", "DELETE", "/api/v1/freeze-windows/\(UUID().uuidString.lowercased())", nil, [.releaseManager, .admin]),
        ("getCalendarFeed", "GET", "/api/v1/calendar.ics", nil, everyRole),
        ("issueCalendarFeedToken", "POST", "/api/v1/calendar/feed-tokens", nil, everyRole),
        ("getSubscribedCalendarFeed", "GET", "/api/v1/calendar/feeds/sbt_not-a-feed", nil, nil),
        ("getDeploymentGuards", "GET", "/api/v1/releases/REL-999999997/deployment-guards", nil, everyRole),
        ("overrideDeploymentGuards", "POST", "/api/v1/releases/REL-999999997/deployment-guards/override", [:] as [String: Any], [.releaseManager]),
        ("saveImageSpec", "PUT", "/api/v1/releases/REL-999999997/image-spec", [:] as [String: Any], imageBuilders),
        ("getReleaseImage", "GET", "/api/v1/releases/REL-999999997/image", nil, everyRole),
        ("requestImageBuild", "POST", "/api/v1/releases/REL-999999997/image/builds", nil, imageBuilders),
        ("uploadImageArtifact", "PUT", "/api/v1/releases/REL-999999997/image/artifacts/matrix.txt", nil, imageBuilders),
        ("listTestRuns", "GET", "/api/v1/releases/REL-999999997/test-runs", nil, everyRole),
        ("requestTestRun", "POST", "/api/v1/releases/REL-999999997/test-runs", nil, imageTesters),
        ("getTestRun", "GET", "/api/v1/test-runs/999999999", nil, everyRole),
        ("decideAcceptance", "POST", "/api/v1/releases/REL-999999997/acceptance", [:] as [String: Any], imageTesters),
        ("listDMLEntries", "GET", "/api/v1/dml?limit=1", nil, everyRole),
        ("verifyDML", "POST", "/api/v1/dml/verify", nil, imageTesters),
        ("getDMLEntry", "GET", "/api/v1/dml/no-such-image/0.0.0", nil, everyRole),
        ("retireDMLEntry", "DELETE", "/api/v1/dml/no-such-image/0.0.0", nil, [.releaseManager, .admin]),
        ("downloadDMLContent", "GET", "/api/v1/dml/no-such-image/0.0.0/content", nil, everyRole),
        ("getRollout", "GET", "/api/v1/releases/REL-999999997/rollout", nil, everyRole),
        ("listRolloutTargets", "GET", "/api/v1/releases/REL-999999997/rollout/targets?state=failed", nil, everyRole),
        ("getRolloutTarget", "GET", "/api/v1/releases/REL-999999997/rollout/targets/rollout-a-b", nil, everyRole),
        ("planRollout", "POST", "/api/v1/releases/REL-999999997/rollout/plan", ["targets": ["sites": ["dc1"]], "dryRun": true],
         rolloutOperators),
        ("startRollout", "POST", "/api/v1/releases/REL-999999997/rollout/start", nil, rolloutOperators),
        ("controlRollout", "POST", "/api/v1/releases/REL-999999997/rollout/actions", ["action": "pause"], rolloutOperators),
        ("approveRolloutWave", "POST", "/api/v1/releases/REL-999999997/rollout/approval", nil, [.approver, .releaseManager]),
        ("getMyContacts", "GET", "/api/v1/me/contacts", nil, everyRole),
        ("setMyContacts", "PUT", "/api/v1/me/contacts", ["email": 1], everyRole),
        ("setUserContacts", "PUT", "/api/v1/users/nobody-at-all/contacts", ["email": 1], [.admin]),
        ("getSiteContacts", "GET", "/api/v1/sites/matrix-site/contacts", nil, everyRole),
        ("setSiteContacts", "PUT", "/api/v1/sites/matrix-site/contacts", ["members": 1], [.releaseManager, .admin]),
        ("listNotificationSubscriptions", "GET", "/api/v1/notifications/subscriptions", nil, everyRole),
        ("createNotificationSubscription", "POST", "/api/v1/notifications/subscriptions", ["eventPattern": 1], everyRole),
        ("deleteNotificationSubscription", "DELETE", "/api/v1/notifications/subscriptions/\(UUID().uuidString.lowercased())", nil, everyRole),
        ("listNotificationPreferences", "GET", "/api/v1/notifications/preferences", nil, everyRole),
        ("setNotificationPreference", "PUT", "/api/v1/notifications/preferences", ["mode": "loud"], everyRole),
        ("listNotificationTemplates", "GET", "/api/v1/notifications/templates", nil, everyRole),
        ("getNotificationTemplate", "GET", "/api/v1/notifications/templates/rollout.started/email", nil, everyRole),
        ("saveNotificationTemplate", "PUT", "/api/v1/notifications/templates/rollout.started/email", ["subject": 1], [.releaseManager, .admin]),
        ("previewNotificationTemplate", "POST", "/api/v1/notifications/templates/rollout.started/email/preview", ["eventId": 1],
         [.releaseManager, .admin]),
        ("listReleaseNotifications", "GET", "/api/v1/releases/REL-999999997/notifications", nil, everyRole),
        ("exportReleaseNotifications", "GET", "/api/v1/releases/REL-999999997/notifications.csv", nil, everyRole),
        ("getCommunicationPlan", "GET", "/api/v1/releases/REL-999999997/notifications/plan", nil, everyRole),
        ("getReleaseReport", "GET", "/api/v1/releases/REL-999999997/report?format=csv", nil, everyRole),
        ("getPortfolioReport", "GET", "/api/v1/reports/portfolio?from=2026-02-01&to=2026-01-01", nil, everyRole),
        ("getNotificationFeed", "GET", "/api/v1/notifications/feed", nil, everyRole),
        ("markNotificationsRead", "POST", "/api/v1/notifications/feed/read", ["ids": 1], everyRole),
        ("listUsers", "GET", "/api/v1/users", nil, [.admin]),
        ("createUser", "POST", "/api/v1/users", [:] as [String: Any], [.admin]),
        ("issueToken", "POST", "/api/v1/users/nobody-at-all/tokens", [:] as [String: Any], [.admin]),
        ("revokeToken", "DELETE", "/api/v1/tokens/\(UUID().uuidString.lowercased())", nil, [.admin]),
    ]

    @Test("the matrix covers every documented operation")
    func coversTheDocument() throws {
        let documented = try GatewayAccessTests.documentedOperations()
        let listed = Set(Self.matrix.map(\.operation))
        #expect(documented.subtracting(listed).isEmpty, "operations without an expected row: \(documented.subtracting(listed))")
        #expect(listed.subtracting(documented).isEmpty)
        #expect(listed.count == Self.matrix.count, "one row per operation")
    }

    @Test("each operation × each role, and no token: allowed gets past authorization, denied is a bare 403")
    func everyOperationEveryRole() async throws {
        try await GatewayStack.with { stack in
            // verifyDML reaches shipboard-testing (the other command routes refuse the unknown
            // release or the missing reason in the gateway first).
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("matrix-\(stack.suffix)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try stack.startService("shipboard-testing", extra: GatewayStack.testingEnvironment(folder: folder), log: folder + ".log")
            try await stack.waitUntilTestingAnswers()
            try await Self.check(stack)
        }
    }

    static func check(_ stack: GatewayStack) async throws {
        for row in Self.matrix {
            let anonymous = try await stack.call(row.method, row.path, json: row.body)
            if row.allowed == nil {
                #expect(anonymous.status != 401 && anonymous.status != 403 && anonymous.status < 500, "\(row.operation) is public")
                continue
            }
            #expect(anonymous.status == 401 && anonymous.problemType == "urn:shipboard:problem:unauthorized:auth.token", "\(row.operation)")
            for role in Role.allCases {
                let response = try await stack.call(row.method, row.path, as: role, json: row.body)
                let label = "\(row.operation) × \(role.rawValue): \(response.status) \(String(decoding: response.data.prefix(300), as: UTF8.self))"
                if row.allowed!.contains(role) {
                    #expect(response.status != 401 && response.problemType != "urn:shipboard:problem:forbidden:auth.role", "\(label)")
                    #expect(response.status < 500, "\(label)")
                } else {
                    #expect(response.status == 403 && response.problemType == "urn:shipboard:problem:forbidden:auth.role", "\(label)")
                    #expect(response.json["detail"] as? String == "you may not do this", "a denial says nothing about the object")
                }
            }
        }
    }
}
