import Contracts
import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import NIOCore
import PlanningCore

extension DashboardRoutes {
    /// The release page's rollout section: the latest rollout's progress drawn from
    /// ``DashboardRolloutBoard`` (the API's `getRollout` query), the live stream's address while the
    /// release can still change, and the controls the rollout's state and the user's role
    /// allow. Nil when the release has no rollout.
    func rolloutValues(_ key: String, session: DashboardSession, releaseIsTerminal: Bool) async throws -> [String: Any]? {
        let status: RolloutStatusView
        do {
            status = try await api.rollouts.status(of: key)
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return nil
        }
        let board = DashboardRolloutBoard(status)
        var values: [String: Any] = [
            "state": board.state, "image": status.image, "overall": Self.barValues(board.overall),
            "waves": board.waves.map(Self.barValues), "sites": board.sites.map(Self.barValues),
        ]
        if !releaseIsTerminal { values["live"] = "/ui/releases/\(key)/events" }
        if GatewayAccess.allows("controlRollout", roles: session.user.roles), board.hasControls {
            values["control"] = [
                "csrf": session.csrfToken ?? "", "pause": board.mayPause, "resume": board.mayResume, "abort": board.mayAbort,
                "pauseKey": UUID().uuidString, "resumeKey": UUID().uuidString, "abortKey": UUID().uuidString,
            ] as [String: Any]
        }
        return values
    }

    static func barValues(_ bar: DashboardRolloutBoard.Bar) -> [String: Any] {
        var values: [String: Any] = ["label": bar.label, "done": bar.done, "max": bar.max, "text": bar.text]
        if let wave = bar.wave { values["wave"] = String(wave) }
        if let site = bar.site { values["site"] = site }
        return values
    }

    /// `GET /ui/releases/{key}/events`: the rollout's progress as Server-Sent Events for the
    /// page's script (``DashboardScript``), from the same ``ReleaseWatch`` as the API's event
    /// stream (a bounded poll per open page: one version read per 500 ms, one progress read
    /// per 2 s). A `rollout` event carries the ``DashboardRolloutBoard`` as JSON whenever the progress
    /// changes; a `release` event says the release's status and whether it is final, after
    /// which the stream ends. The same checks as the page (session, role, key, release); no
    /// session is a 401, not a redirect an `EventSource` cannot follow. The session is
    /// checked when the stream opens, and the stream ends after ``streamLifetime`` (the
    /// script reconnects at once): a session signed out or expired meanwhile stops the
    /// updates within that time, and no stream outlives its page for long.
    func rolloutEvents(_ request: Request, key: String) async throws -> Response {
        let signedOut = pages.problem(.unauthorized, "Sign in first", "Live updates need a signed-in session.", session: nil, back: "/ui/login")
        let first: ReleaseDetail
        switch try await openRelease(request, key: key, signedOut: signedOut, also: "getReleaseEvents") {
        case .refused(let page): return page
        case .open(_, let release): first = release
        }
        let changes = api.releaseWatch.changes(of: key, first: first, lastSeenVersion: nil, lifetime: Self.streamLifetime)
        let events = changes.compactMap { change -> ByteBuffer? in
            switch change {
            case .rollout(let status): (try? Self.sseEvent("rollout", DashboardRolloutBoard(status))).map { ByteBuffer(bytes: $0) }
            case .release(let release):
                (try? Self.sseEvent("release", ReleaseState(status: release.status.rawValue, final: release.status.isTerminal)))
                    .map { ByteBuffer(bytes: $0) }
            case .keepAlive: ByteBuffer(string: ": keep-alive\n\n")
            }
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: ResponseBody(asyncSequence: events))
    }

    /// How long one dashboard event stream lasts before the browser must reconnect (and be checked again).
    static let streamLifetime = Duration.seconds(300)

    /// What a `release` event says: enough for the script to stop at a final release.
    struct ReleaseState: Encodable {
        let status: String
        let final: Bool
    }

    /// One event: its name and the value as one line of JSON (JSON escapes line breaks).
    static func sseEvent(_ name: String, _ value: some Encodable) throws -> [UInt8] {
        Array("event: \(name)\ndata: ".utf8) + Array(try GatewayAPIHandler.eventEncoder.encode(value)) + Array("\n\n".utf8)
    }
}
