import Contracts
import Foundation
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// The release list: the API's list query with the form's filters, and the page's work
    /// plan progress from one query over its releases.
    func releaseList(_ request: Request) async throws -> Response {
        guard let session = try await DashboardSession.current(request, identities: api.identities) else {
            return DashboardPages.redirect("/ui/login")
        }
        guard GatewayAccess.allows("listReleases", roles: session.user.roles) else { return pages.notAllowed(session: session) }
        let query = FormFields(request.uri.query ?? "")
        let filter = DashboardReleaseFilter { query[$0] }
        var refused = filter.refused
        var page: ReleasePage?
        do {
            page = try await api.releases.releases(filter.releaseFilter)
        } catch let refusal as CommandError where refusal.kind == .validation {
            // The list query's own rules (the title text's length, a NUL): named, not echoed.
            refused += (refusal.fields ?? [:]).keys.map { $0 == "titleContains" ? "q" : $0 }
        }
        let items = page?.items ?? []
        // The page's progress in one query, not one work plan read per row.
        let percents = try await api.workPlans.percentDone(of: items.map(\.key))
        let rows = items.map { item -> [String: Any] in
            var row: [String: Any] = [
                "key": item.key, "title": item.title, "phase": item.phase.rawValue, "status": item.status.rawValue,
                "priority": item.priority,
            ]
            if let percent = percents[item.key] { row["percent"] = Int(percent.rounded(.down)) }
            return row
        }
        var values: [String: Any] = [
            "releases": rows,
            "filters": [
                Self.choices("phase", "Phase", ReleasePhase.allCases, selected: filter.phase),
                Self.choices("status", "Status", ReleaseStatus.allCases, selected: filter.status),
                Self.choices("priority", "Priority", Priority.allCases, selected: filter.priority),
            ],
        ]
        if refused.isEmpty {
            values["q"] = filter.titleContains ?? ""
        } else {
            values["refused"] = refused.sorted().joined(separator: ", ")
        }
        if let after = page?.nextAfterKey { values["next"] = "/ui/releases?\(filter.keptQuery)after=\(after)" }
        return pages.page("releases", title: "Releases", values, session: session, status: refused.isEmpty ? .ok : .badRequest)
    }

    /// A release's work plan, or nil when it has none (the API answers 404 for that).
    func workPlan(_ key: String) async throws -> WorkPlanView? {
        do {
            return try await api.workPlans.workPlan(key)
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return nil
        }
    }

    /// One filter's `<select>`: its words, the chosen one marked.
    static func choices<Word: ContractEnum>(_ name: String, _ label: String, _ words: [Word], selected: Word?) -> [String: Any] {
        ["name": name, "label": label,
         "options": words.map { word -> [String: Any] in ["value": word.rawValue, "selected": word == selected] }]
    }
}
