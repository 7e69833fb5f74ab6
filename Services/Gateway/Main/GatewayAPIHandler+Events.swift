import Contracts
import Foundation
import GatewayAPI
import OpenAPIRuntime
import PlanningCore

extension GatewayAPIHandler {
    /// Server-Sent Events for one release: a `release` event with the whole release whenever
    /// its version changes (the event id is the version), a comment every 15 s so proxies keep
    /// the connection, and the end of the stream once the release is terminal. A client that
    /// reconnects with `Last-Event-ID` gets nothing it has seen. The watcher polls the version
    /// (one indexed read) and reads the release only when it changed; it stops when the
    /// client goes away.
    func getReleaseEvents(_ input: Operations.getReleaseEvents.Input) async throws -> Operations.getReleaseEvents.Output {
        let key = input.path.key
        let first = try await releases.release(key)  // 404 before the stream starts
        let lastSeen = input.headers.Last_hyphen_Event_hyphen_ID.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let queries = releases
        let interval = eventPollInterval
        let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
            let task = Task {
                var sent = lastSeen
                var latest = first
                var quiet = Duration.zero
                while !Task.isCancelled {
                    if latest.version != sent {
                        guard let event = try? Self.event(latest) else { break }
                        continuation.yield(ArraySlice(event))
                        sent = latest.version
                        quiet = .zero
                    }
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

    /// One SSE event: `id`, `event: release`, and the release as one line of JSON.
    static func event(_ release: ReleaseDetail) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let apiRelease: Components.Schemas.Release = try APIValue.convert(release)
        let json = try encoder.encode(apiRelease)
        return Array("id: \(release.version)\nevent: release\ndata: ".utf8) + Array(json) + Array("\n\n".utf8)
    }
}
