import Foundation
import GatewayCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The release status report and the portfolio over HTTP against the real gateway, planning
/// and PostgreSQL: a seeded release (work plan, a gate decision, a rollout of nine targets,
/// deliveries with hostile text) reported as CSV and HTML, by the API, the CLI and the dashboard.
@Suite("Gateway: reports", .serialized)
struct GatewayReportTests {
    /// 200 characters (the most a title may have) that a spreadsheet or a browser would run.
    static let hostileTitle = "=cmd|' /C calc'!A0, \"q\" <script>alert(1)</script>" + String(repeating: "t", count: 151)

    /// A scheduled release with a work plan (one task done), an approval with a comment, a
    /// rollout of nine targets and three deliveries; answers its key and the rollout fixture.
    static func seeded(_ stack: GatewayStack, start: String, end: String) async throws -> (String, RolloutFixture) {
        #expect(try await stack.call("PUT", "/api/v1/groups/release-approvers/members/\(stack.name(.approver))", as: .admin).status == 200)
        let create = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: [
            "title": hostileTitle, "type": "minor", "businessJustification": "reports", "scheduledStart": start, "scheduledEnd": end,
        ])
        let key = try #require(create.json["releaseKey"] as? String, "\(String(decoding: create.data, as: UTF8.self))")
        #expect(try await stack.call("POST", "/api/v1/releases/\(key)/changes", as: .releaseManager, json: [
            "externalId": "CHG-R-\(stack.suffix)", "title": "Report change", "status": "approved", "risk": "low",
        ]).status == 200)
        #expect(try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: [:]).status == 201)
        for action in ["start", "finish"] {
            let acted = try await stack.call("POST", "/api/v1/releases/\(key)/tasks/structure/actions", as: .releaseManager, json: ["action": action])
            #expect(acted.status == 200, "\(String(decoding: acted.data, as: UTF8.self))")
        }
        #expect(try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager).status == 200)
        let approve = try await stack.call(
            "POST", "/api/v1/releases/\(key)/approve", as: .approver, json: ["expectedPhase": "initiate", "comment": "fine, \"go\" <b>now</b>"])
        #expect(approve.status == 200, "\(String(decoding: approve.data, as: UTF8.self))")
        let pool = stack.store.pool
        try await GatewayNotificationReadsTests.insertDelivery(
            pool, key, recipient: stack.name(.viewer), channel: "email", address: "ops@example.com", minutesAgo: 3)
        try await GatewayNotificationReadsTests.insertDelivery(
            pool, key, recipient: "-pat,ops", channel: "webhook", address: "https://hooks.example.net/T0/secret-token?sig=abc",
            state: "failed", minutesAgo: 2)
        try await GatewayNotificationReadsTests.insertDelivery(
            pool, key, recipient: "two\nlines, \"and\" " + String(repeating: "r", count: 180), channel: "in_app", address: nil, minutesAgo: 1)
        return (key, try await RolloutFixture.withNineTargets(releaseKey: key))
    }

    @Test("release report as CSV and HTML: tasks, approvals, targets, sites, notifications, audit verdict; refusals; portfolio by range; the CLI")
    func reportsOverTheAPI() async throws {
        try await GatewayStack.with { stack in
            // What people type is checked where they type it: NUL and 300 characters never become a title.
            for title in ["a\u{0}b", String(repeating: "x", count: 300)] {
                #expect(try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": title]).status == 400)
            }
            let (key, fixture) = try await Self.seeded(stack, start: "2045-06-10T08:00:00Z", end: "2045-06-10T10:00:00Z")
            do {
                try await Self.releaseReport(stack, key)
                try await Self.portfolio(stack, key)
                try await Self.commandLine(stack, key)
                try await Self.bounded(stack, key, fixture)
            } catch {
                await fixture.close()
                throw error
            }
            await fixture.close()
        }
    }

    static func releaseReport(_ stack: GatewayStack, _ key: String) async throws {
        let csv = try await stack.call("GET", "/api/v1/releases/\(key)/report?format=csv", as: .viewer)
        let text = String(decoding: csv.data, as: UTF8.self)
        #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"), "\(csv.status) \(text.prefix(500))")
        let rows = try ReportRenderingTests.parse(text)
        let column = { (name: String) in ReleaseReportCSV.header.firstIndex(of: name)! }
        let section = { (name: String) in rows.filter { $0[0] == name } }
        #expect(rows.first == ReleaseReportCSV.header && rows.allSatisfy { $0.count == ReleaseReportCSV.header.count })
        let release = try #require(section("release").first)
        #expect(release[column("key")] == key && release[column("title")] == "'" + hostileTitle)
        #expect(release[column("start")] == "2045-06-10T08:00:00Z" && release[column("person")] == stack.name(.releaseManager))
        let tasks = section("task")
        #expect(tasks.count == 17 && tasks.first { $0[column("key")] == "structure" }?[column("status")] == "done")
        let approvals = section("approval")
        #expect(approvals.count == 1 && approvals.first?[column("person")] == stack.name(.approver)
                && approvals.first?[column("status")] == "approved" && approvals.first?[column("comment")] == "fine, \"go\" <b>now</b>")
        let targets = section("target")
        #expect(targets.count == 9 && Set(targets.map { $0[column("site")] }) == ["dc1", "dc2"])
        #expect(section("site").contains { $0[column("site")] == "dc1" && $0[column("status")] == "failed" && $0[column("count")] == "1" })
        let notifications = section("notification")
        #expect(notifications.map { $0[column("channel")] } == ["email", "webhook", "in_app"])
        #expect(notifications[1][column("address")] == "hooks.example.net" && notifications[1][column("person")] == "'-pat,ops")
        #expect(notifications[2][column("person")].hasPrefix("two\nlines, \"and\" rrr") && !text.contains("secret-token"))
        let audit = try #require(section("audit").first)
        #expect(audit[column("status")] == "intact" && (Int(audit[column("count")]) ?? 0) > 3, "\(audit)")

        let html = try await stack.call("GET", "/api/v1/releases/\(key)/report", as: .viewer)
        let page = String(decoding: html.data, as: UTF8.self)
        #expect(html.status == 200 && html.contentType.hasPrefix("text/html") && page.contains("<meta charset=\"utf-8\">"))
        #expect(!page.contains("<script") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<b>now</b>"))
        #expect(page.contains("Verified: all") && page.contains("CI-SRV-0001") && page.contains("hooks.example.net"))
        #expect(!page.contains("secret-token") && page.contains("structure"))

        #expect(try await stack.call("GET", "/api/v1/releases/\(key)/report").status == 401)
        #expect(try await stack.call("GET", "/api/v1/releases/REL-999999997/report?format=csv", as: .viewer).status == 404)
        for query in ["format=pdf", "format=csv%00"] {
            let refused = try await stack.call("GET", "/api/v1/releases/\(key)/report?\(query)", as: .viewer)
            #expect(refused.status == 400 && refused.isProblem, "\(query): \(refused.status)")
        }
        let badKey = try await stack.call("GET", "/api/v1/releases/REL_1%3Cx%3E/report", as: .viewer)
        #expect(badKey.status == 400 && badKey.isProblem, "\(badKey.status)")
    }

    /// A rollout of 10,009 targets: the report lists the first 10,000, says so, and counts all.
    static func bounded(_ stack: GatewayStack, _ key: String, _ fixture: RolloutFixture) async throws {
        try await fixture.insertMany(10_000)
        let csv = try await stack.call("GET", "/api/v1/releases/\(key)/report?format=csv", as: .viewer)
        let rows = try ReportRenderingTests.parse(String(decoding: csv.data, as: UTF8.self))
        let column = { (name: String) in ReleaseReportCSV.header.firstIndex(of: name)! }
        #expect(csv.status == 200 && rows.filter { $0[0] == "target" }.count == ReleaseReport.targetLimit)
        #expect(rows.contains { $0[0] == "note" && $0[column("comment")].contains("first 10000 targets") })
        #expect(rows.contains { $0[0] == "site" && $0[column("site")] == "dc3" && $0[column("status")] == "total" && $0[column("count")] == "10000" })
        let html = try await stack.call("GET", "/api/v1/releases/\(key)/report", as: .viewer)
        #expect(html.status == 200 && String(decoding: html.data, as: UTF8.self).contains("first 10000 targets"))
    }

    static func portfolio(_ stack: GatewayStack, _ inRange: String) async throws {
        let later = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: [
            "title": "Later \(stack.suffix)", "scheduledStart": "2045-08-10T08:00:00Z", "scheduledEnd": "2045-08-10T09:00:00Z",
        ])
        let laterKey = try #require(later.json["releaseKey"] as? String)
        let overlapping = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: [
            "title": "Overlap \(stack.suffix)", "scheduledStart": "2045-05-30T08:00:00Z", "scheduledEnd": "2045-06-02T09:00:00Z",
        ])
        let overlapKey = try #require(overlapping.json["releaseKey"] as? String)
        let unscheduled = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Unscheduled \(stack.suffix)"])
        let unscheduledKey = try #require(unscheduled.json["releaseKey"] as? String)

        let csv = try await stack.call("GET", "/api/v1/reports/portfolio?from=2045-06-01&to=2045-06-30&format=csv", as: .viewer)
        let rows = try ReportRenderingTests.parse(String(decoding: csv.data, as: UTF8.self))
        #expect(csv.status == 200 && rows.first == PortfolioReport.csvHeader)
        let keys = rows.dropFirst().map { $0[1] }
        #expect(keys.contains(inRange) && keys.contains(overlapKey), "\(keys)")
        #expect(!keys.contains(laterKey) && !keys.contains(unscheduledKey))
        let row = try #require(rows.first { $0[1] == inRange })
        // Nine targets, three succeeded and one failed (the fixture's states); 1 of 17 tasks done.
        #expect(row[8] == "5" && row[9] == "3" && row[10] == "1" && row[11] == "9", "\(row)")
        let today = Date().formatted(Date.ISO8601FormatStyle().year().month().day())
        let now = try await stack.call("GET", "/api/v1/reports/portfolio?from=\(today)&to=\(today)&format=csv", as: .viewer)
        #expect(String(decoding: now.data, as: UTF8.self).contains(unscheduledKey), "an unscheduled release counts by its creation day")
        let html = try await stack.call("GET", "/api/v1/reports/portfolio?from=2045-06-01&to=2045-06-30", as: .viewer)
        #expect(html.status == 200 && html.contentType.hasPrefix("text/html") && String(decoding: html.data, as: UTF8.self).contains(overlapKey))

        for query in ["from=2045-07-01&to=2045-06-01", "from=2045-01-01&to=2046-01-02", "from=2045-6-1&to=2045-06-30",
                      "from=2045-02-30&to=2045-03-01", "from=2045-06-01%00&to=2045-06-30", "to=2045-06-30",
                      "from=2045-06-01&to=2045-06-30&format=xml"] {
            let refused = try await stack.call("GET", "/api/v1/reports/portfolio?\(query)", as: .viewer)
            #expect(refused.status == 400 && refused.isProblem, "\(query): \(refused.status)")
        }
        #expect(try await stack.call("GET", "/api/v1/reports/portfolio?from=2045-06-01&to=2045-06-30").status == 401)
    }

    static func commandLine(_ stack: GatewayStack, _ key: String) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-report-\(stack.suffix)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["HOME": home.path, "SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.viewer]!]
        let out = try CLIEndToEndTests.shipboard(["report", key, "--format", "csv"], environment: environment)
        #expect(out.status == 0 && out.out.hasPrefix(ReleaseReportCSV.header.joined(separator: ",")), "\(out.err)")
        let file = home.appendingPathComponent("report.html").path
        let written = try CLIEndToEndTests.shipboard(["report", key, "--format", "html", "-o", file], environment: environment)
        #expect(written.status == 0 && (try? String(contentsOfFile: file, encoding: .utf8))?.contains("<meta charset=\"utf-8\">") == true,
                "\(written.err)")
        let again = try CLIEndToEndTests.shipboard(["report", key, "-o", file], environment: environment)
        #expect(again.status == 1 && again.err.contains("--force"), "\(again.status) \(again.err)")
        #expect(try CLIEndToEndTests.shipboard(["report", key, "-o", file, "--force"], environment: environment).status == 0)
        let portfolio = try CLIEndToEndTests.shipboard(
            ["report", "portfolio", "--from", "2045-06-01", "--to", "2045-06-30", "--format", "csv"], environment: environment)
        #expect(portfolio.status == 0 && portfolio.out.contains(key), "\(portfolio.err)")
        let badRange = try CLIEndToEndTests.shipboard(
            ["report", "portfolio", "--from", "2045-07-01", "--to", "2045-06-01"], environment: environment)
        #expect(badRange.status == 1 && badRange.err.contains("from"), "\(badRange.status) \(badRange.err)")
        #expect(try CLIEndToEndTests.shipboard(["report", "REL-999999997"], environment: environment).status == 4)
    }

    @Test("dashboard: the report page and CSV download behind the session, a viewer may read, the portfolio by range")
    func reportsInTheDashboard() async throws {
        try await GatewayStack.with { stack in
            let (key, fixture) = try await Self.seeded(stack, start: "2046-03-10T08:00:00Z", end: "2046-03-10T10:00:00Z")
            let browser = try await DashboardTests.signedIn(stack, "report-viewer", roles: [.viewer])
            defer { Task { await browser.shutdown() } }
            do {
                let page = try await browser.get("/ui/releases/\(key)/report")
                #expect(page.status == 200 && page.html.contains("&lt;script&gt;") && !page.html.contains("<script"), "\(page.status)")
                #expect(page.html.contains("Verified: all") && page.html.contains("CI-SRV-0001"))
                // The CSV download, with the session's cookie: an attachment with a safe name.
                var request = URLRequest(url: URL(string: stack.base.absoluteString + "/ui/releases/\(key)/report.csv")!)
                request.setValue(browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
                // Without a cookie store (GatewayStack.http): only this session's cookie is sent.
                let (data, response) = try await GatewayStack.http.data(for: request)
                let http = try #require(response as? HTTPURLResponse)
                #expect(http.statusCode == 200 && http.value(forHTTPHeaderField: "Content-Disposition") == "attachment; filename=\"\(key)-report.csv\"",
                        "\(http.statusCode) \(http.url?.path ?? "") \(String(decoding: data.prefix(300), as: UTF8.self))")
                #expect(try ReportRenderingTests.parse(String(decoding: data, as: UTF8.self)).filter { $0[0] == "target" }.count == 9)
                #expect(try await browser.get("/ui/releases/REL-999999997/report").status == 404)
                let portfolio = try await browser.get("/ui/reports/portfolio?from=2046-03-01&to=2046-03-31")
                #expect(portfolio.status == 200 && portfolio.html.contains(key))
                // Reached from every page's navigation.
                #expect(try await browser.get("/ui/releases").html.contains("<a href=\"/ui/reports/portfolio\">Portfolio report</a>"))
                let month = try await browser.get("/ui/reports/portfolio")
                #expect(month.status == 200 && month.html.contains("Release portfolio"))
                #expect(try await browser.get("/ui/reports/portfolio?from=2046-04-01&to=2046-03-01").status == 400)
                let anonymous = DashboardBrowser(base: stack.base)
                defer { Task { await anonymous.shutdown() } }
                #expect(try await anonymous.get("/ui/releases/\(key)/report.csv").location == "/ui/login")
            } catch {
                await fixture.close()
                throw error
            }
            await fixture.close()
        }
    }
}
