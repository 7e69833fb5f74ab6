import Foundation
import GatewayCore
import Testing

/// The release page's changes, CIs with their dependency picture, notifications sent and
/// report links, over HTTP against the real gateway, planning and PostgreSQL.
@Suite("Dashboard: changes, CIs, notifications", .serialized)
struct DashboardDetailsTests {
    @Test("the page lists the release's changes, its CIs with a picture of their dependencies, the deliveries (webhooks by host) and the report links")
    func details() async throws {
        try await GatewayStack.with { stack in
            let tag = "D" + String(Int.random(in: 1_000_000...9_999_999))
            let (db, app, web) = ("CI-\(tag)-0001", "CI-\(tag)-0002", "CI-\(tag)-0003")
            let csv = "key,name,class,depends_on\n\(db),Payroll DB,database,\n\(app),<script>Payroll</script>,application,\(db)\n\(web),Web,application,\(app)\n"
            let imported = try await stack.call("POST", "/api/v1/cis/import", as: .admin, json: ["format": "csv", "content": csv])
            #expect(imported.status == 200, "\(String(decoding: imported.data, as: UTF8.self))")
            let key = try await DashboardTests.release(stack, title: "Details \(stack.suffix)")
            let change = try await stack.call("POST", "/api/v1/releases/\(key)/changes", as: .releaseManager, json: [
                "externalId": "CHG\(tag.dropFirst())", "title": "Index <b>rebuild</b>", "status": "approved", "risk": "high",
                "affectedCIs": [db],
            ])
            #expect(change.status == 200, "\(String(decoding: change.data, as: UTF8.self))")
            try await GatewayNotificationReadsTests.insertDelivery(
                stack.store.pool, key, recipient: "pat", channel: "webhook", address: "https://hooks.example.net/T0/secret-token?sig=abc",
                minutesAgo: 2)
            try await GatewayNotificationReadsTests.insertDelivery(
                stack.store.pool, key, recipient: "ops", channel: "email", address: "ops@example.com", state: "failed", minutesAgo: 1)

            let browser = try await DashboardTests.signedIn(stack, "detailer", roles: [.viewer])
            defer { Task { await browser.shutdown() } }
            let page = try await browser.get("/ui/releases/\(key)")
            #expect(page.status == 200)
            #expect(page.html.contains("<td>CHG\(tag.dropFirst())</td><td>Index &lt;b&gt;rebuild&lt;/b&gt;</td><td>high</td><td>approved</td><td>\(db)</td>"),
                    "\(page.html)")
            #expect(page.html.contains("<td>\(db)</td><td>Payroll DB</td><td>database</td><td></td><td>changed by this release</td>"))
            #expect(page.html.contains("<td>\(app)</td><td>&lt;script&gt;Payroll&lt;/script&gt;</td>") && page.html.contains("depends on a changed CI"))
            #expect(page.html.contains("aria-labelledby=\"ci-picture-title\"") && page.html.contains("Dependencies between 3 CIs"))
            #expect(page.html.contains("<title>\(app) depends_on \(db)</title>") && page.html.contains("<title>\(web) depends_on \(app)</title>"))
            #expect(page.html.contains(">\(db)</text>") && page.html.contains("stroke-width=\"3\""))
            #expect(page.html.contains("<td>pat</td><td>webhook</td><td>hooks.example.net</td><td>rollout.started</td><td>sent</td>"))
            #expect(!page.html.contains("secret-token") && page.html.contains("<td>ops@example.com</td>"))
            #expect(page.html.contains("href=\"/ui/releases/\(key)/report\">Report (HTML)</a>") && page.html.contains("href=\"/ui/releases/\(key)/report.csv\">CSV</a>"))
            #expect(!page.html.contains("<script>P"))

            let bare = try await DashboardTests.release(stack, title: "Bare \(stack.suffix)")
            let empty = try await browser.get("/ui/releases/\(bare)")
            #expect(empty.html.contains("No change request has been added.") && empty.html.contains("Nothing has been sent for this release."))
            #expect(!empty.html.contains("ci-picture-title") && empty.html.contains("No rollout has been planned"))
        }
    }
}
