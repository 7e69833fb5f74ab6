import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime
import PlanningCore

extension GatewayAPIHandler {
    /// Server-Sent Events for one release: a `release` event with the whole release whenever
    /// its version changes (the event id is the version), a comment every 15 s so proxies keep
    /// the connection, and the end of the stream once the release is terminal. A client that
    /// reconnects with `Last-Event-ID` gets nothing it has seen. The watcher polls the version
    /// (one indexed read) and reads the release only when it changed; it stops when the
    /// client goes away. While the release has a rollout, a `rollout` event (no id) carries its
    /// progress whenever that changes: read every ``rolloutPollRounds`` rounds (one grouped
    /// statement) and sent only when it differs from the last one sent.
    func getReleaseEvents(_ input: Operations.getReleaseEvents.Input) async throws -> Operations.getReleaseEvents.Output {
        let key = input.path.key
        let first = try await releases.release(key)  // 404 before the stream starts
        let lastSeen = input.headers.Last_hyphen_Event_hyphen_ID.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let queries = releases
        let rolloutQueries = rollouts
        let interval = eventPollInterval
        let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
            let task = Task {
                var sent = lastSeen
                var latest = first
                var quiet = Duration.zero
                var rolloutSent: [UInt8]?
                var round = 0
                while !Task.isCancelled {
                    // The rollout's progress first, so a client that stops at a terminal release
                    // has the final progress; a release without a rollout (or a failed read)
                    // sends nothing.
                    if round % Self.rolloutPollRounds == 0 || latest.status.isTerminal,
                       let status = try? await rolloutQueries.status(of: key), let event = try? Self.event(status),
                       event != rolloutSent {
                        continuation.yield(ArraySlice(event))
                        rolloutSent = event
                        quiet = .zero
                    }
                    if latest.version != sent {
                        guard let event = try? Self.event(latest) else { break }
                        continuation.yield(ArraySlice(event))
                        sent = latest.version
                        quiet = .zero
                    }
                    round += 1
                    if latest.status.isTerminal { break }
                    try? await Task.sleep(for: interval)
                    quiet += interval
                    if quiet >= .seconds(15) {
                        continuation.yield(ArraySlice(Array(": keep-alive\n\n".utf8)))
                        quiet = .zero
                    }
                    // A failed read (database away for a moment) is tried again next round.
                    guard let version = try? await queries.version(of: key) else { continue }
                    if version != latest.version, let fresh = try? await queries.release(key) { latest = fresh }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return .ok(.init(body: .text_event_hyphen_stream(HTTPBody(stream, length: .unknown, iterationBehavior: .single))))
    }

    /// Rounds of the poll between two reads of the rollout's progress (2 s at the default 500 ms).
    static let rolloutPollRounds = 4

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
