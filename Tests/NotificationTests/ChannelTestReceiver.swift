import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import ShipboardTestSupport

/// A real HTTP receiver for the channel tests, on 127.0.0.1 and a free port: `POST
/// /status/<code>` records the request (headers and body) and answers `<code>`.
final class ChannelTestReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        var headers: HTTPFields
        var body: [UInt8]
    }

    actor Recorder {
        var received: [Received] = []
        var port: Int?

        func record(_ request: Received) { received.append(request) }
        func setPort(_ port: Int?) { self.port = port }
    }

    let recorder: Recorder
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>, recorder: Recorder) {
        self.port = port
        self.task = task
        self.recorder = recorder
    }

    /// The URL answering `status`.
    func url(answering status: Int) -> String { "http://127.0.0.1:\(port)/status/\(status)" }

    var received: [Received] {
        get async { await recorder.received }
    }

    static func start() async throws -> ChannelTestReceiver {
        let recorder = Recorder()
        let router = Router()
        router.post("/status/:code") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            await recorder.record(Received(path: request.uri.path, headers: request.headers, body: Array(body.readableBytesView)))
            let code = Int(context.parameters.get("code") ?? "") ?? 500
            return Response(status: HTTPResponse.Status(code: code))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await recorder.setPort(channel.localAddress?.port) })
        let task = Task { try await app.runService() }
        for _ in 0..<400 {
            if let port = await recorder.port {
                return ChannelTestReceiver(port: port, task: task, recorder: recorder)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        task.cancel()
        throw TestSettingsError(description: "the test HTTP receiver did not start")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
