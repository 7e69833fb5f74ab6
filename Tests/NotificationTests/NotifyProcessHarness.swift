import AMQP
import Contracts
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import Messaging
import NotificationCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-notify as separate processes over the real servers (the fault broker, held
/// exclusively, with no older `notify.*` queues; the test database), a real SMTP sink on a free
/// port, and a webhook receiver (Hummingbird, in the test) that checks every signature. The
/// test's side publishes events to `shipboard.events` as planning and rollout do.
final class NotifyProcessHarness: @unchecked Sendable {
    static let secret = "notify-process-test-secret-0123456789"

    let folder: String
    let tag: String
    let amqpURL: String
    let owner: PostgresPool
    let client: AMQPClient
    let requests: RequestClient
    let sink: SMTPSink
    let receiver: WebhookReceiver
    private let lock = NSLock()
    private var processes: [String: Process] = [:]

    private init(folder: String, amqpURL: String, owner: PostgresPool, client: AMQPClient, sink: SMTPSink, receiver: WebhookReceiver) {
        self.folder = folder
        self.tag = String(UUID().uuidString.filter(\.isLetter).prefix(6)).lowercased()
        self.amqpURL = amqpURL
        self.owner = owner
        self.client = client
        self.requests = RequestClient(amqp: client)
        self.sink = sink
        self.receiver = receiver
    }

    /// Prepares the servers, a folder, the sink and the receiver, runs `body`, then kills every
    /// notify process left and stops the sink and the receiver.
    static func run(_ body: (NotifyProcessHarness) async throws -> Void) async throws {
        try await FaultBroker.exclusively {
            let amqpURL = try TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")
            let setup = try await AMQPConnection.connect(AMQPConfiguration(url: amqpURL))
            for queue in ["notify.commands", "notify.events"] {
                try? await setup.deleteQueue(queue)
                try? await setup.deleteQueue(queue + ".dead")
            }
            await setup.close()
            let database = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
            try await MigrationGate.shared.ensureMigrated(database)
            let owner = PostgresPool(configuration: database, maxConnections: 2)
            // What an earlier, failed run of these tests left to send would go to endpoints that are
            // gone (their releases are REL-9…; other suites' rows are theirs to keep).
            _ = try await owner.query(
                """
                UPDATE notify.deliveries SET state = 'failed', lease_until = NULL
                WHERE state IN ('pending', 'sending') AND release_key LIKE 'REL-9%'
                """)
            _ = try await owner.query(
                "UPDATE notify.scheduled_sends SET state = 'cancelled' WHERE state = 'scheduled' AND release_key LIKE 'REL-9%'")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notify-process-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let sink = try await SMTPSink.start(directory: folder + "/mail")
            let receiver = try await WebhookReceiver.start()
            let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
            let clientTask = Task { await client.run() }
            let harness = NotifyProcessHarness(folder: folder, amqpURL: amqpURL, owner: owner, client: client, sink: sink, receiver: receiver)
            do {
                try await body(harness)
            } catch {
                harness.killAll()
                await harness.finish(sink: sink, receiver: receiver, clientTask: clientTask)
                throw error
            }
            harness.killAll()
            await harness.finish(sink: sink, receiver: receiver, clientTask: clientTask)
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    private func finish(sink: SMTPSink, receiver: WebhookReceiver, clientTask: Task<Void, Never>) async {
        await requests.close()
        await sink.stop()
        await receiver.stop()
        clientTask.cancel()
        await owner.close()
    }

    // MARK: processes

    /// Starts notify replica `name` with the sink, the receiver allowed and quick retries.
    func launch(_ name: String, settings: [String: String] = [:]) throws {
        var all = [
            "SHIPBOARD_NOTIFY_SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "SHIPBOARD_NOTIFY_SMTP_STARTTLS": "off",
            "SHIPBOARD_NOTIFY_WEBHOOK_SECRET": Self.secret, "SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS": "true",
            "SHIPBOARD_NOTIFY_RETRY_BASE_MS": "200", "SHIPBOARD_NOTIFY_BASE_URL": "https://shipboard.example",
            "SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS": "5",
        ]
        all.merge(settings) { _, new in new }
        let process = try ServiceProcess.launch("shipboard-notify", amqpURL: amqpURL, settings: all, log: folder + "/\(name).log")
        lock.withLock { processes[name] = process }
    }

    func kill9(_ name: String) {
        guard let process = lock.withLock({ processes[name] }), process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, and waits until it exited.
    func terminate(_ name: String) {
        guard let process = lock.withLock({ processes[name] }), process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    private func killAll() {
        for process in lock.withLock({ Array(processes.values) }) where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The log of replica `name` (for failure messages).
    func log(_ name: String) -> String {
        String((try? String(contentsOfFile: folder + "/\(name).log", encoding: .utf8))?.suffix(3000) ?? "")
    }

    /// Sends `command` until a replica answers (the first may still be starting): once it
    /// answers, its queues, the event queue among them, exist.
    func send<Command: CommandContract>(_ command: Command, actor: String) async throws -> Command.Result {
        let envelope = Envelope(command, correlationId: "notify-test-\(tag)", actor: actor)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await requests.send(envelope, timeout: .seconds(5))
            } catch {
                guard error.kind == .unavailable || error.kind == .timeout, ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    // MARK: directory and release

    /// A gateway user `name` with the contact points asked for (email `<name>@example.test`,
    /// webhook on the receiver at `/hook/<name>`).
    func addUser(_ name: String, email: Bool, webhook: Bool) async throws {
        let id = try await owner.query(
            """
            INSERT INTO gateway.users (name, display_name, roles, created_by)
            VALUES (\(name), \(name.capitalized), ARRAY['viewer']::text[], 'notify-test') RETURNING id
            """).single().decode(UUID.self)
        if email {
            _ = try await owner.query(
                "INSERT INTO gateway.contact_points (user_id, channel, address) VALUES (\(id), 'email', \(Self.email(name)))")
        }
        if webhook {
            _ = try await owner.query(
                "INSERT INTO gateway.contact_points (user_id, channel, address) VALUES (\(id), 'webhook', \(receiver.url(for: name)))")
        }
    }

    static func email(_ name: String) -> String { "\(name)@example.test" }

    /// A release in planning (phase plan) with `requester` and `coordinator`; returns its key.
    func insertRelease(title: String, requester: String, coordinator: String) async throws -> String {
        let key = "REL-9\(Int.random(in: 1_000_000...9_999_999))"
        _ = try await owner.query(
            """
            INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status)
            VALUES (\(key), \(title), 'minor', 'medium', 'medium', 'moderate', \(requester), \(coordinator), 'plan', 'in_progress')
            """)
        return key
    }

    /// A subscription row (as the `Subscribe` command writes it).
    func subscribe(_ person: String, pattern: String, channel: String, releaseKey: String) async throws {
        _ = try await owner.query(
            """
            INSERT INTO notify.subscriptions (id, subscriber_kind, subscriber, event_pattern, channel, release_key, created_by)
            VALUES (\(UUID()), 'person', \(person), \(pattern), \(channel), \(releaseKey), \(person))
            """)
    }

    // MARK: events

    /// `release.phase_changed` of `releaseKey` by `actor`, as planning publishes it.
    func phaseChanged(_ releaseKey: String, actor: String, from: ReleasePhase = .initiate, to: ReleasePhase = .plan)
        -> Envelope<ReleasePhaseChanged>
    {
        Envelope(ReleasePhaseChanged(releaseKey: releaseKey, actor: actor, from: from, to: to), correlationId: releaseKey, actor: actor)
    }

    func message<Event: EventContract>(_ envelope: Envelope<Event>) throws -> AMQPMessage {
        AMQPMessage(
            exchange: Exchanges.events, routingKey: Event.messageType, body: try ContractCoding.encode(envelope),
            properties: AMQPProperties(messageID: envelope.id.uuidString.lowercased(), type: Event.messageType))
    }

    func publish<Event: EventContract>(_ envelope: Envelope<Event>) async throws {
        try await client.publish(message(envelope))
    }

    func publish(_ messages: [AMQPMessage]) async throws {
        try await client.publish(messages, timeout: .seconds(30))
    }

    // MARK: deliveries

    struct Delivery: Sendable {
        var id: UUID
        var source: String
        var recipient: String
        var channel: String
        var state: String
        var attempts: Int
        var subject: String
        var body: String
    }

    func deliveries(releaseKey: String) async throws -> [Delivery] {
        try await owner.query(
            """
            SELECT id, source, recipient, channel, state, attempts, subject, body_text FROM notify.deliveries
            WHERE release_key = \(releaseKey) ORDER BY created_at, recipient, channel
            """
        ).map { row in
            let (id, source, recipient, channel, state, attempts, subject, body) = try row.decode(
                (UUID, String, String, String, String, Int, String, String).self)
            return Delivery(
                id: id, source: source, recipient: recipient, channel: channel, state: state, attempts: attempts, subject: subject,
                body: body)
        }
    }

    /// Polls `condition` until it holds or `limit` passed; returns whether it held.
    func eventually(_ limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// Sink messages to `address`.
    func mails(to address: String) throws -> [SMTPSinkMessage] {
        try sink.messages().filter { $0.rcptTos.contains(address) }
    }
}

/// A webhook receiver on 127.0.0.1 and a free port: checks `X-Shipboard-Signature` with the
/// test's secret, records every request (its `Idempotency-Key`, body and the answer), and can
/// answer 500 to the first N requests.
final class WebhookReceiver: Sendable {
    struct Request: Sendable {
        var path: String
        var idempotencyKey: String?
        var signatureValid: Bool
        var status: Int
        var payload: WebhookPayload?
        var receivedAt: Date
    }

    actor Log {
        var requests: [Request] = []
        var failFirst = 0
        var port: Int?

        func record(_ request: Request) { requests.append(request) }
        func setFailFirst(_ count: Int) { failFirst = count }
        func setPort(_ port: Int?) { self.port = port }
        /// Whether this request is to fail (counts it down).
        func shouldFail() -> Bool {
            guard failFirst > 0 else { return false }
            failFirst -= 1
            return true
        }
    }

    let log: Log
    let port: Int
    private let task: Task<Void, any Error>

    func url(for person: String) -> String { "http://127.0.0.1:\(port)/hook/\(person)" }

    static func start() async throws -> WebhookReceiver {
        let log = Log()
        let signer = try WebhookSigner(secret: NotifyProcessHarness.secret)
        let router = Router()
        router.post("/hook/:person") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let bytes = Array(body.readableBytesView)
            let header = request.headers[HTTPField.Name(WebhookSigner.headerName)!] ?? ""
            var valid = true
            do { try signer.verify(header: header, body: bytes) } catch { valid = false }
            let fail = await log.shouldFail()
            let status = !valid ? 401 : fail ? 500 : 200
            let payload = try? JSONDecoder.iso8601.decode(WebhookPayload.self, from: Data(bytes))
            await log.record(Request(
                path: request.uri.path, idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], signatureValid: valid,
                status: status, payload: payload, receivedAt: Date()))
            return Response(status: HTTPResponse.Status(code: status))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await log.setPort(channel.localAddress?.port) })
        let task = Task { try await app.runService() }
        for _ in 0..<200 {
            if let port = await log.port {
                let receiver = WebhookReceiver(port: port, task: task, log: log)
                return receiver
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        task.cancel()
        throw TestSettingsError(description: "the webhook receiver did not start")
    }

    private init(port: Int, task: Task<Void, any Error>, log: Log) {
        self.port = port
        self.task = task
        self.log = log
    }

    var requests: [Request] {
        get async { await log.requests }
    }

    func failFirst(_ count: Int) async { await log.setFailFirst(count) }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
