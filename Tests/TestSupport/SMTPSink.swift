import Foundation
import Subprocess

/// A real SMTP server for tests: `Infra/scripts/smtp-sink.py` (aiosmtpd, in `.run/venv`, made
/// by `Infra/scripts/smtp.sh ensure`) on 127.0.0.1 and a free port, writing every accepted
/// message under `directory` as `<n>.eml` and a parsed `<n>.json`.
/// - Each test starts its own sink, so tests run in parallel; `stop()` ends it (SIGTERM, then
///   SIGKILL after 5 s).
public actor SMTPSink {
    /// What the sink is told to do beyond accepting mail.
    public struct Options: Sendable {
        /// PEM certificate and key: the sink offers STARTTLS and requires it before MAIL.
        public var tls: (certificate: String, key: String)?
        /// Required AUTH credentials (PLAIN or LOGIN).
        public var credentials: (username: String, password: String)?
        /// The first `failFirst` messages get `451 try again later`.
        public var failFirst: Int
        /// Recipients answered `550 mailbox unavailable`.
        public var rejectedRecipients: [String]

        public init(
            tls: (certificate: String, key: String)? = nil, credentials: (username: String, password: String)? = nil,
            failFirst: Int = 0, rejectedRecipients: [String] = []
        ) {
            self.tls = tls
            self.credentials = credentials
            self.failFirst = failFirst
            self.rejectedRecipients = rejectedRecipients
        }
    }

    /// The port the sink listens on (127.0.0.1).
    public nonisolated let port: Int
    /// Where the messages land.
    public nonisolated let directory: String
    /// The sink's process id.
    public nonisolated let pid: Int32
    private let process: Process

    private init(port: Int, directory: String, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
        self.pid = process.processIdentifier
    }

    /// Starts a sink writing into `directory` (created) and waits until it listens.
    public static func start(directory: String, options: Options = Options()) async throws -> SMTPSink {
        let python = runDirectory.appendingPathComponent("venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSettingsError(description: "\(python) is missing: run bash Infra/scripts/smtp.sh ensure")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let readyFile = "\(directory)/sink.port"
        var arguments = [script, "--port", "0", "--dir", directory, "--ready-file", readyFile]
        if let tls = options.tls { arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key] }
        if options.credentials != nil { arguments.append("--auth") }
        if options.failFirst > 0 { arguments += ["--fail-first", String(options.failFirst)] }
        for recipient in options.rejectedRecipients { arguments += ["--reject-recipient", recipient] }
        var environment = ProcessInfo.processInfo.environment
        environment["SMTP_SINK_USERNAME"] = options.credentials?.username
        environment["SMTP_SINK_PASSWORD"] = options.credentials?.password
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.environment = environment
        let log = "\(directory)/sink.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: readyFile, encoding: .utf8), let port = Int(text) {
                return SMTPSink(port: port, directory: directory, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TestSettingsError(description: "the SMTP sink did not start: \(output.suffix(600))")
    }

    /// Every message accepted so far, in order.
    public nonisolated func messages() throws -> [SMTPSinkMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let numbers = names.compactMap { $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil }.sorted()
        return try numbers.map { number in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(number).json"))
            return try JSONDecoder().decode(SMTPSinkMessage.self, from: data)
        }
    }

    /// Waits until at least `count` messages arrived (or `limit` passed) and returns them all.
    public nonisolated func messages(atLeast count: Int, within limit: Duration = .seconds(10)) async throws -> [SMTPSinkMessage] {
        let deadline = ContinuousClock.now + limit
        while true {
            let found = try messages()
            if found.count >= count || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Stops the sink and waits until it exited.
    public func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Kills the sink without waiting: for a `defer` at the end of a test (a sink may have
    /// been started with SIGTERM blocked, inherited from the test process, and would outlive it).
    public nonisolated func terminate() {
        kill(pid, SIGKILL)
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1 (P-256, a day), made with
    /// openssl in `directory`; clients trust the certificate file itself as their CA.
    public static func makeCertificate(in directory: String) async throws -> (certificate: String, key: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = "\(directory)/sink-cert.pem"
        let key = "\(directory)/sink-key.pem"
        let result = try await Subprocess.run(
            .name("openssl"),
            arguments: [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256",
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key, "-out", certificate,
            ],
            output: .discarded, error: .string(limit: 1 << 16))
        guard result.terminationStatus.isSuccess else {
            throw TestSettingsError(description: "openssl req failed: \(result.standardError ?? "")")
        }
        return (certificate, key)
    }

    private static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private static var runDirectory: URL {
        if let run = ProcessInfo.processInfo.environment["SHIPBOARD_RUN_DIR"], !run.isEmpty { return URL(fileURLWithPath: run) }
        return repositoryRoot.appendingPathComponent(".run")
    }

    private static var script: String { repositoryRoot.appendingPathComponent("Infra/scripts/smtp-sink.py").path }
}

/// One message as the sink received and parsed it (Python's `email` package decoded the
/// headers, including RFC 2047 words, and the base64 parts).
public struct SMTPSinkMessage: Decodable, Sendable {
    public var number: Int
    public var mailFrom: String
    public var rcptTos: [String]
    /// Every header in order, decoded: [name, value].
    public var headers: [[String]]
    public var text: String?
    public var html: String?
    /// Whether the session had upgraded to TLS.
    public var tls: Bool
    /// The AUTH user name, when the client authenticated.
    public var authenticatedAs: String?
    /// The client's `address:port`: the same for messages sent over one reused connection.
    public var peer: String?

    /// The first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }
}
