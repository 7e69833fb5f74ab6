import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// What the release page says after an action succeeded (`?acted=…`); an unknown word says nothing.
    static let actedNotices = [
        "task-started": "The task is started.", "task-finished": "The task is finished.",
        "rollout-paused": "The rollout is paused.", "rollout-resumed": "The rollout is resumed.",
        "rollout-aborted": "The rollout is aborted; any targets it changed are backed out.",
    ]

    /// Start or finish a task from the release page: the CSRF token first, then the role
    /// (``GatewayAccess``, `actOnTask`), then the API's own operation, which sends the command
    /// to planning as the user; planning decides whether the task is theirs and whether the
    /// action fits its state (the buttons were shown by that same rule, ``WorkPlan/allows``).
    func actOnTask(_ request: Request, key: String, taskKey: String, action: String) async throws -> Response {
        let (form, session): (FormFields, DashboardSession)
        switch try await postedForm(request, operation: "actOnTask") {
        case .refused(let page): return page
        case .accepted(let fields, let signedIn): (form, session) = (fields, signedIn)
        }
        guard ReleaseKeys.isValid(key),
              let verb = Components.Schemas.TaskActionInput.actionPayload(rawValue: action), verb == .start || verb == .finish
        else { return pages.unknownRelease(session: session) }
        let back = "/ui/releases/\(key)"
        do {
            try await asUser(session) {
                _ = try await api.actOnTask(.init(
                    path: .init(key: key, taskKey: taskKey), headers: .init(Idempotency_hyphen_Key: Self.idempotencyKey(form)),
                    body: .json(.init(action: verb))))
            }
        } catch let refusal as CommandError {
            return refused(refusal, "Task not changed", session: session, back: back)
        }
        return DashboardPages.redirect("\(back)?acted=task-\(verb == .start ? "started" : "finished")")
    }

    /// Pause, resume or abort the release's rollout: the CSRF token, the role
    /// (`controlRollout`), then the API's operation, which checks the action's fields
    /// (``RolloutControlInput``: abort needs a reason of at most 1000 characters, no control
    /// characters) before shipboard-rollout decides on the rollout's state.
    func controlRollout(_ request: Request, key: String, action: String) async throws -> Response {
        let (form, session): (FormFields, DashboardSession)
        switch try await postedForm(request, operation: "controlRollout") {
        case .refused(let page): return page
        case .accepted(let fields, let signedIn): (form, session) = (fields, signedIn)
        }
        guard ReleaseKeys.isValid(key),
              let verb = Components.Schemas.RolloutActionInput.actionPayload(rawValue: action), [.pause, .resume, .abort].contains(verb)
        else { return pages.unknownRelease(session: session) }
        let back = "/ui/releases/\(key)"
        // Only abort carries a reason; an empty field is no reason (the API then asks for one).
        let reason = verb == .abort ? form["reason"].flatMap { $0.isEmpty ? nil : $0 } : nil
        do {
            try await asUser(session) {
                _ = try await api.controlRollout(.init(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: Self.idempotencyKey(form)),
                    body: .json(.init(action: verb, reason: reason))))
            }
        } catch let refusal as CommandError {
            return refused(refusal, "Rollout not changed", session: session, back: back)
        }
        let done = switch verb {
        case .pause: "paused"
        case .resume: "resumed"
        default: "aborted"
        }
        return DashboardPages.redirect("\(back)?acted=rollout-\(done)")
    }

    /// The form's idempotency key when it is a UUID (the page puts a fresh one in each form,
    /// so a double submit is one command); anything else is no key.
    static func idempotencyKey(_ form: FormFields) -> String? {
        form["idempotencyKey"].flatMap { UUID(uuidString: $0) }?.uuidString
    }

    /// A refusal as a page: its status and the API's own words, except for an internal
    /// failure, whose words are not for the browser.
    func refused(_ refusal: CommandError, _ heading: String, session: DashboardSession, back: String) -> Response {
        let status = HTTPProblemStatus.code(for: refusal.kind)
        let detail = status >= 500 && status != 503 && status != 504 ? "The request could not be carried out." : refusal.message
        return pages.problem(.init(code: status), heading, detail, session: session, back: back)
    }
}

extension DashboardRoutes {
    /// The task buttons the user gets, by task key: none without the role (`actOnTask`) or on a
    /// final release; otherwise start and finish wherever planning's own rule
    /// (``WorkPlan/allows(_:on:by:)``, with the user's groups and whether they manage the
    /// release, ``TaskActor/managesRelease(_:asReleaseManager:coordinator:)``) accepts them.
    func taskActions(_ plan: WorkPlanView, release: ReleaseDetail, session: DashboardSession) async throws -> [String: [[String: Any]]] {
        guard GatewayAccess.allows("actOnTask", roles: session.user.roles), !release.status.isTerminal else { return [:] }
        let user = session.user
        let manages = TaskActor.managesRelease(
            user.name, asReleaseManager: user.roles.contains(.releaseManager), coordinator: release.coordinator)
        // A release manager may work every task: their groups are not read (as in planning).
        let groups = manages ? [] : try await api.configuration.groups(of: user.name)
        let actor = TaskActor.person(user.name, groups: groups, isReleaseManager: manages)
        let workPlan = WorkPlan(jobPlanName: plan.jobPlanName, jobPlanVersion: plan.jobPlanVersion, tasks: plan.tasks)
        var actions: [String: [[String: Any]]] = [:]
        for task in plan.tasks {
            let segment = task.key.addingPercentEncoding(withAllowedCharacters: FormFields.unreserved) ?? ""
            for (verb, action) in [("start", TaskAction.start), ("finish", .finish)] where workPlan.allows(action, on: task.key, by: actor) {
                actions[task.key, default: []].append([
                    "path": "/ui/releases/\(release.key)/tasks/\(segment)/\(verb)", "verb": verb == "start" ? "Start" : "Finish",
                    "task": task.key, "csrf": session.csrfToken ?? "", "idempotencyKey": UUID().uuidString,
                ])
            }
        }
        return actions
    }
}
