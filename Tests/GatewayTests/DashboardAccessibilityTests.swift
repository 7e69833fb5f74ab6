import Foundation
import GatewayCore
import Testing

/// What the dashboard's pages must hold for people using a keyboard or a screen reader, and
/// for readable contrast: checked on the rendered HTML of every page, with every form the
/// release page can show, and on the palette's pairings.
@Suite("Dashboard: accessibility", .serialized)
struct DashboardAccessibilityTests {
    @Test("every colour pairing the dashboard draws reaches its WCAG contrast (text 4.5:1, focus and marks 3:1)")
    func contrast() {
        #expect(abs(DashboardPalette.contrast("#000000", "#ffffff") - 21) < 0.001)
        for pairing in DashboardPalette.pairings {
            let ratio = DashboardPalette.contrast(pairing.foreground, pairing.background)
            #expect(ratio >= pairing.minimum, "\(pairing.foreground) on \(pairing.background): \(ratio)")
        }
    }

    @Test("the page checker finds each kind of problem it looks for")
    func checker() {
        let bad = "<html lang=\"en\"><h1>a</h1><h3>b</h3><input id=\"q\" name=\"q\"><th>c</th><progress value=\"1\"></progress>"
            + "<button type=\"submit\"> </button><svg width=\"1\"></svg><input type=\"hidden\" name=\"csrf\">"
        #expect(Self.problems(bad) == [
            "unlabelled <input id=\"q\" name=\"q\">", "nameless <button type=\"submit\"> </button>", "th without scope",
            "unlabelled progress", "unnamed svg", "h1 then h3",
        ])
    }

    /// What is wrong with `html` for assistive technology, one line a problem (none: empty).
    static func problems(_ html: String) -> [String] {
        var problems: [String] = []
        func all(_ pattern: String) -> [[String]] {
            let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
            return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
                (0..<match.numberOfRanges).map { Range(match.range(at: $0), in: html).map { String(html[$0]) } ?? "" }
            }
        }
        if !html.contains("<html lang=\"en\">") { problems.append("no language") }
        let labels = Set(all(#"<label for="([^"]+)""#).map { $0[1] })
        for control in all(#"<(input|select|textarea)\b([^>]*)>"#) where !control[2].contains("type=\"hidden\"") {
            let id = control[2].range(of: #"\bid="[^"]+""#, options: .regularExpression).map { String(control[2][$0].dropFirst(4).dropLast()) }
            if !(id.map(labels.contains) ?? false) && !control[2].contains("aria-label=") { problems.append("unlabelled \(control[0])") }
        }
        for button in all(#"<button\b([^>]*)>(.*?)</button>"#) where button[2].trimmingCharacters(in: .whitespaces).isEmpty
            && !button[1].contains("aria-label=") {
            problems.append("nameless \(button[0])")
        }
        for header in all(#"<th\b([^>]*)>"#) where !header[1].contains("scope=") { problems.append("th without scope") }
        for bar in all(#"<progress\b([^>]*)>"#) where !bar[1].contains("aria-label=") { problems.append("unlabelled progress") }
        for picture in all(#"<svg\b([^>]*)>"#) {
            let named = picture[1].range(of: #"aria-labelledby="([^"]+)""#, options: .regularExpression)
                .map { String(picture[1][$0].dropFirst(17).dropLast()) }
            if !(picture[1].contains("role=\"img\"") && named.map { html.contains("<title id=\"\($0)\">") } == true) {
                problems.append("unnamed svg")
            }
        }
        let levels = all(#"<h([1-6])\b"#).compactMap { Int($0[1]) }
        if levels.first != 1 || levels.filter({ $0 == 1 }).count != 1 { problems.append("not one h1 first: \(levels)") }
        for (previous, next) in zip(levels, levels.dropFirst()) where next > previous + 1 { problems.append("h\(previous) then h\(next)") }
        return problems
    }

    @Test("sign-in, the list, the calendar and a release page with every section and form: labelled controls, named buttons and pictures, th scope, headings in order")
    func pages() async throws {
        try await GatewayStack.with { stack in
            let anonymous = DashboardBrowser(base: stack.base)
            defer { Task { await anonymous.shutdown() } }
            #expect(Self.problems(try await anonymous.get("/ui/login").html) == [])

            // The gate's group gets its member before the submit (planning refuses a gate nobody can pass).
            let user = try await DashboardTests.signedIn(stack, "everyone", roles: [.releaseManager, .rolloutOperator, .approver])
            defer { Task { await user.shutdown() } }
            #expect(try await stack.call("PUT", "/api/v1/groups/release-approvers/members/everyone-\(stack.suffix)", as: .admin).status == 200)
            let key = try await DashboardTests.release(stack, title: "Accessible \(stack.suffix)")
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager).status == 200)
            let fixture = try await RolloutFixture.withNineTargets(releaseKey: key)
            defer { Task { await fixture.close() } }

            let page = try await user.get("/ui/releases/\(key)")
            for form in ["/approve\"", "/reject\"", "/rollout/resume\"", "/rollout/abort\"", "/start\""] {
                #expect(page.html.contains(form), "the page shows \(form)")
            }
            #expect(Self.problems(page.html) == [], "\(page.html)")
            for path in ["/ui/releases", "/ui/calendar", "/ui/calendar?from=x", "/ui/releases/REL-999999994"] {
                let other = try await user.get(path)
                #expect(Self.problems(other.html) == [], "\(path)")
            }
            #expect(page.html.contains("<a class=\"skip\" href=\"#main\">") && page.html.contains("<main id=\"main\">"))
        }
    }
}
