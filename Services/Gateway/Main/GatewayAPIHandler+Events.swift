import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime
import PlanningCore

extension GatewayAPIHandler {
    /// Server-Sent Events for one release, from ``ReleaseWatch`` (shared with the dashboard's
    /// live rollout progress): a `release` event with the whole release whenever its version
    /// changes (the event id is the version), a `rollout` event (no id) with its progress
    /// whenever that changes, a comment every 15 s so proxies keep the connection, and the end
    /// of the stream once the release is terminal. A client that reconnects with
    /// `Last-Event-ID` gets no release it has seen. The watcher stops when the client goes away.
    func getReleaseEvents(_ input: Operations.getReleaseEvents.Input) async throws -> Operations.getReleaseEvents.Output {
        let key = input.path.key
        let first = try await releases.release(key)  // 404 before the stream starts
        let lastSeen = input.headers.Last_hyphen_Event_hyphen_ID.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let changes = releaseWatch.changes(of: key, first: first, lastSeenVersion: lastSeen)
        let stream = changes.compactMap { change -> ArraySlice<UInt8>? in
            switch change {
            // An encoding failure (a value the API's schema does not take) skips that event.
            case .rollout(let status): (try? Self.event(status)).map { ArraySlice($0) }
            case .release(let release): (try? Self.event(release)).map { ArraySlice($0) }
            case .keepAlive: ArraySlice(Array(": keep-alive\n\n".utf8))
            }
        }
        return .ok(.init(body: .text_event_hyphen_stream(HTTPBody(stream, length: .unknown, iterationBehavior: .single))))
    }

    /// The release watcher behind both event streams (the API's and the dashboard's).
    var releaseWatch: ReleaseWatch { ReleaseWatch(releases: releases, rollouts: rollouts, interval: eventPollInterval) }

    /// One SSE event without an id (a rollout has no version to resume from): `event: rollout`
    /// and the rollout's status as one line of JSON.
    static func event(_ status: RolloutStatusView) throws -> [UInt8] {
        let apiStatus: Components.Schemas.RolloutStatus = try APIValue.convert(status)
        return Array("event: rollout\ndata: ".utf8) + Array(try eventEncoder.encode(apiStatus)) + Array("\n\n".utf8)
    }

    /// Both events' JSON: keys sorted, so an unchanged value encodes to the same bytes.
    static let eventEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// One SSE event: `id`, `event: release`, and the release as one line of JSON.
    static func event(_ release: ReleaseDetail) throws -> [UInt8] {
        let apiRelease: Components.Schemas.Release = try APIValue.convert(release)
        let json = try eventEncoder.encode(apiRelease)
        return Array("id: \(release.version)\nevent: release\ndata: ".utf8) + Array(json) + Array("\n\n".utf8)
    }
}
