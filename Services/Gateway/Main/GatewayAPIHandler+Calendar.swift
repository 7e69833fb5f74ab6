import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime
import PlanningCore

/// Freeze windows, the deployment guards of a release, and the iCalendar feed.
extension GatewayAPIHandler {
    var deploymentGuards: DeploymentGuardQueries { DeploymentGuardQueries(pool: pool) }

    func listFreezeWindows(_ input: Operations.listFreezeWindows.Input) async throws -> Operations.listFreezeWindows.Output {
        .ok(.init(body: .json(try APIValue.convert(try await deploymentGuards.freezeWindows()))))
    }

    func createFreezeWindow(_ input: Operations.createFreezeWindow.Input) async throws -> Operations.createFreezeWindow.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let saved = try await commands.send(
            try Self.freezeWindow(body, id: nil), operation: "createFreezeWindow", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .created(.init(body: .json(try APIValue.convert(saved))))
    }

    func replaceFreezeWindow(_ input: Operations.replaceFreezeWindow.Input) async throws -> Operations.replaceFreezeWindow.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let saved = try await commands.send(
            try Self.freezeWindow(body, id: try Self.windowID(input.path.id)), operation: "replaceFreezeWindow",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(saved))))
    }

    func deleteFreezeWindow(_ input: Operations.deleteFreezeWindow.Input) async throws -> Operations.deleteFreezeWindow.Output {
        let deleted = try await commands.send(
            DeleteFreezeWindow(id: try Self.windowID(input.path.id)), operation: "deleteFreezeWindow",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(deleted))))
    }

    /// The feed as calendar clients fetch it (`text/calendar`, CRLF lines, RFC 5545).
    func getCalendarFeed(_ input: Operations.getCalendarFeed.Input) async throws -> Operations.getCalendarFeed.Output {
        .ok(.init(body: .text_calendar(HTTPBody(try await deploymentGuards.calendarFeed()))))
    }

    func getDeploymentGuards(_ input: Operations.getDeploymentGuards.Input) async throws -> Operations.getDeploymentGuards.Output {
        .ok(.init(body: .json(try APIValue.convert(try await deploymentGuards.report(of: input.path.key)))))
    }

    /// Planning decides; the gateway says whether the user holds the release manager role.
    func overrideDeploymentGuards(_ input: Operations.overrideDeploymentGuards.Input) async throws -> Operations.overrideDeploymentGuards.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let report = try await commands.send(
            OverrideDeploymentGuards(releaseKey: key, reason: body.reason, asReleaseManager: try Self.user().roles.contains(.releaseManager)),
            operation: "overrideDeploymentGuards", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .ok(.init(body: .json(try APIValue.convert(report))))
    }

    static func freezeWindow(_ body: Components.Schemas.FreezeWindowInput, id: UUID?) throws -> SaveFreezeWindow {
        let schedule = body.schedule
        return SaveFreezeWindow(
            id: id, name: body.name, kind: body.kind.rawValue, timeZone: body.timeZone,
            schedule: FreezeScheduleInput(
                start: schedule.start, end: schedule.end, weekdays: schedule.weekdays?.map(\.rawValue), startTime: schedule.startTime,
                durationMinutes: schedule.durationMinutes, firstDate: schedule.firstDate, lastDate: schedule.lastDate),
            sites: body.sites ?? [], ciClasses: body.ciClasses ?? [])
    }

    /// The path's window id (the document says `uuid`; the generator leaves it a string).
    static func windowID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw CommandError(.validation, "id must be a UUID", rule: "freezes.id", fields: ["id": "must be a UUID"])
        }
        return id
    }
}

/// Calendar subscription URLs carry their own token in the path: the bearer check lets them
/// through and the route checks the token (scope `calendar_feed` only).
enum CalendarFeedRoute {
    static let prefix = "/api/v1/calendar/feeds/"
}

/// Calendar subscriptions: a URL that serves the feed, for clients that cannot send a token.
extension GatewayAPIHandler {
    func issueCalendarFeedToken(_ input: Operations.issueCalendarFeedToken.Input) async throws -> Operations.issueCalendarFeedToken.Output {
        let user = try Self.user()
        let issued = try await identities.issueToken(
            for: user.id, label: "calendar feed", lifetime: IdentityStore.maxTokenLifetime, scope: .calendarFeed)
        return .created(.init(body: .json(.init(
            id: issued.id.uuidString.lowercased(), path: CalendarFeedRoute.prefix + issued.token.secret,
            expiresAt: issued.expiresAt))))
    }

    /// The token in the path is the credential: unknown, malformed, expired, revoked or of a
    /// disabled user all answer 404, saying nothing more.
    func getSubscribedCalendarFeed(_ input: Operations.getSubscribedCalendarFeed.Input) async throws -> Operations.getSubscribedCalendarFeed.Output {
        guard try await identities.authenticateWithExpiry(token: input.path.token, scope: .calendarFeed) != nil else {
            return .notFound(.init(body: .application_problem_plus_json(
                .init(_type: "urn:shipboard:problem:not_found:calendar.feed", title: "not found", status: 404,
                      detail: "no calendar feed at this address"))))
        }
        return .ok(.init(body: .text_calendar(HTTPBody(try await deploymentGuards.calendarFeed()))))
    }
}
