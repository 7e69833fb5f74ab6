import AsyncHTTPClient
import Foundation
import Glibc
import HTTPTypes
import Hummingbird

/// The SMTP sink (`Infra/scripts/smtp-sink.py` from `.run/venv`) as a separate process on a
/// free port, in its lean mode: one line per accepted message in `<dir>/accepted.log` with its
/// `acceptedAt` time and delivery id (no parsing, no file per message).
final class NotifyBenchSink {
    let port: Int
    let directory: String
    private let process: Process

    init(directory: String) throws {
        let python = ".run/venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchmarkError("\(python) is missing: run bash Infra/scripts/smtp.sh ensure (bench.sh does)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ready = directory + "/../smtp-sink.port"
        try? FileManager.default.removeItem(atPath: ready)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        // Lean: one log line per message, no parsing (the baseline below is measured the same way).
        process.arguments = ["Infra/scripts/smtp-sink.py", "--port", "0", "--dir", directory, "--ready-file", ready, "--lean"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8), let port = Int(text) {
                self.port = port
                self.directory = directory
                self.process = process
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw BenchmarkError("the SMTP sink did not start")
    }

    /// Messages per second the sink accepts from Python's smtplib over one connection (`count`
    /// messages of about 1 KiB, timed inside the client after connecting).
    func acceptanceRate(count: Int) throws -> Double {
        let script = """
            import smtplib, sys, time
            port, n = int(sys.argv[1]), int(sys.argv[2])
            body = "Subject: baseline\\r\\nFrom: bench@localhost\\r\\nTo: base@example.test\\r\\n\\r\\n" + ("x" * 70 + "\\r\\n") * 14
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo()
            t = time.monotonic()
            for _ in range(n):
                s.sendmail("bench@localhost", ["base@example.test"], body)
            print(n / (time.monotonic() - t))
            s.quit()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ".run/venv/bin/python")
        process.arguments = ["-c", script, "\(port)", "\(count)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let rate = Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkError("the smtplib baseline failed (status \(process.terminationStatus))")
        }
        return rate
    }

    /// The sink's lines so far: "<acceptedAt> <delivery id or ->", complete lines only.
    private func lines() -> [Substring] {
        guard let data = FileManager.default.contents(atPath: directory + "/accepted.log") else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        return complete.split(separator: "\n")
    }

    /// Every accepted message that carries `X-Shipboard-Delivery`: delivery id → acceptance (Unix seconds).
    func acceptances() -> [UUID: Double] {
        var result: [UUID: Double] = [:]
        for line in lines() {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let accepted = Double(fields[0]), let id = UUID(uuidString: String(fields[1])) else { continue }
            result[id] = accepted
        }
        return result
    }

    /// How many messages the sink has accepted.
    var count: Int { lines().count }

    /// SIGTERM, then SIGKILL after 2 s: a child of this process may start with every signal
    /// blocked (seen here), and then asyncio never sees the SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A webhook receiver (Hummingbird, in this process, on 127.0.0.1 and a free port) that
/// answers 200 and records each request's `Idempotency-Key` and arrival time (Unix seconds).
final class NotifyBenchReceiver: Sendable {
    actor Log {
        var arrivals: [String: Double] = [:]
        var anonymous = 0
        var port: Int?
        func record(_ key: String?, _ time: Double) {
            if let key { arrivals[key] = time } else { anonymous += 1 }
        }
        func setPort(_ port: Int?) { self.port = port }
    }

    let log: Log
    let port: Int
    private let task: Task<Void, any Error>

    private init(log: Log, port: Int, task: Task<Void, any Error>) {
        self.log = log
        self.port = port
        self.task = task
    }

    func url(for person: String) -> String { "http://127.0.0.1:\(port)/hook/\(person)" }

    static func start() async throws -> NotifyBenchReceiver {
        let log = Log()
        let router = Router()
        router.post("/hook/:person") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            let now = Date().timeIntervalSince1970
            await log.record(request.headers[HTTPField.Name("Idempotency-Key")!], now)
            return Response(status: .ok)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await log.setPort(channel.localAddress?.port) })
        let task = Task { try await app.runService() }
        for _ in 0..<200 {
            if let port = await log.port { return NotifyBenchReceiver(log: log, port: port, task: task) }
            try await Task.sleep(for: .milliseconds(25))
        }
        task.cancel()
        throw BenchmarkError("the webhook receiver did not start")
    }

    /// Requests per second the receiver answers to AsyncHTTPClient POSTs of about 1 KiB with
    /// `connections` at once (no `Idempotency-Key`, so they are not recorded as deliveries).
    func acceptanceRate(count: Int, connections: Int) async throws -> Double {
        let http = HTTPClient(configuration: .init(connectionPool: .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)))
        let body = Array(String(repeating: "x", count: 1_000).utf8)
        let url = self.url(for: "baseline")
        @Sendable func post() async throws {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            guard response.status.code == 200 else { throw BenchmarkError("the receiver answered \(response.status.code)") }
        }
        do {
            try await post()  // warm the pool
            let perSecond = try await rate(operations: count) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<connections {
                        group.addTask {
                            for _ in stride(from: worker, to: count, by: connections) { try await post() }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await http.shutdown()
            return perSecond
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    var arrivals: [String: Double] {
        get async { await log.arrivals }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
