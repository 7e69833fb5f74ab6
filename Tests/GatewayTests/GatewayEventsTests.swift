import Foundation
import GatewayCore
import Testing

/// `GET /releases/{key}/events`: a `release` event per change with the version as its id,
/// resumable with Last-Event-ID, ending when the release is terminal. And the traceparent of
/// a request reaches planning's log line for the command it sent.
@Suite("Gateway: release events and trace context", .serialized)
struct GatewayEventsTests {
    @Test("events follow the release and end when it is terminal; Last-Event-ID skips what was seen")
    func releaseEvents() async throws {
        try await GatewayStack.with { stack in
            let create = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Watched"])
            let key = try #require(create.json["releaseKey"] as? String)
            let reader = EventStreamReader()
            let auth = ["Authorization": "Bearer \(stack.tokens[.viewer]!)"]
            let task = reader.start(URL(string: "\(stack.base.absoluteString)/api/v1/releases/\(key)/events")!, headers: auth)
            defer { task.cancel() }
            var iterator = reader.events.makeAsyncIterator()
            let first = try #require(await iterator.next())
            #expect(first.event == "release" && first.data.contains("\"status\":\"draft\""))
            let firstVersion = try #require(first.id.flatMap(Int.init))

            let cancel = try await stack.call(
                "POST", "/api/v1/releases/\(key)/cancel", as: .releaseManager, json: ["expectedPhase": "initiate", "reason": "test"])
            #expect(cancel.status == 200)
            let second = try #require(await iterator.next())
            #expect(second.data.contains("\"status\":\"cancelled\"") && Int(second.id ?? "") ?? 0 > firstVersion)
            #expect(await iterator.next() == nil, "the stream ends once the release is terminal")
            #expect(reader.status == 200)

            // Resuming after the last event seen: nothing to send, and the stream ends.
            let resumed = EventStreamReader()
            let resumedTask = resumed.start(
                URL(string: "\(stack.base.absoluteString)/api/v1/releases/\(key)/events")!,
                headers: auth.merging(["Last-Event-ID": second.id!]) { $1 })
            defer { resumedTask.cancel() }
            var resumedEvents: [EventStreamReader.Event] = []
            for await event in resumed.events { resumedEvents.append(event) }
            #expect(resumedEvents.isEmpty)

            let missing = try await stack.call("GET", "/api/v1/releases/REL-999999996/events", as: .viewer)
            #expect(missing.status == 404 && missing.isProblem)
        }
    }

    @Test("the request's traceparent travels with the command into planning's log; a malformed one is replaced")
    func traceContext() async throws {
        try await GatewayStack.with { stack in
            let traceID = String((0..<32).map { _ in "0123456789abcdef".randomElement()! })
            let create = try await stack.call(
                "POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Traced"],
                headers: ["traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
            #expect(create.status == 201)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, !stack.planningLog.contains(traceID) {
                try await Task.sleep(for: .milliseconds(100))
            }
            let line = stack.planningLog.split(separator: "\n").first { $0.contains(traceID) }
            #expect(line?.contains("planning.create_release") == true, "planning logs the command with the caller's trace id")

            let hostile = try await stack.call(
                "POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Traced 2"],
                headers: ["traceparent": "00-zzzz-injected; \"quoted\" text"])
            #expect(hostile.status == 201)
            try await Task.sleep(for: .milliseconds(500))
            #expect(!stack.planningLog.contains("injected"), "a malformed traceparent never reaches a log")
        }
    }
}
