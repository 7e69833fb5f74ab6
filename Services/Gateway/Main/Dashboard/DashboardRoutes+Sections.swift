import GatewayCore
import Hummingbird

extension DashboardRoutes {
    /// The routes of the release page's live rollout progress, its actions (tasks, rollout)
    /// and the calendar, kept here so ``register(on:logger:)`` stays one line per concern.
    func registerSections(on ui: RouterGroup<GatewayRequestContext>) {
        ui.get("static/rollout-live.js") { _, _ in DashboardScript.response() }
        ui.get("calendar") { request, _ in try await calendarPage(request) }
        ui.get("releases/:key/events") { request, context in
            try await rolloutEvents(request, key: context.parameters.get("key") ?? "")
        }
        ui.post("releases/:key/rollout/:action") { request, context in
            try await controlRollout(request, key: context.parameters.get("key") ?? "", action: context.parameters.get("action") ?? "")
        }
        ui.post("releases/:key/tasks/:taskKey/:action") { request, context in
            try await actOnTask(
                request, key: context.parameters.get("key") ?? "", taskKey: context.parameters.get("taskKey") ?? "",
                action: context.parameters.get("action") ?? "")
        }
    }
}
