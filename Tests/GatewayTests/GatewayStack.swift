import Foundation
import GatewayCore
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// shipboard-planning and shipboard-gateway as two separate processes on the real servers
/// (the fault broker, whose `planning.#` consumers are all real planning processes on this
/// database with the tests' audit keys), and one user with a token per role.
final class GatewayStack: @unchecked Sendable {
    let gateway: Process
    let base: URL
    let store: IdentityStore
    /// A token per role (each user holds that one role), and a suffix that makes names unique.
    let tokens: [Role: String]
    let suffix: String
    /// What planning has written to stderr so far (its JSON log lines), drained as it comes
    /// so the process never blocks on a full pipe.
    var planningLog: String {
        logLock.lock()
        defer { logLock.unlock() }
        return String(decoding: logBytes, as: UTF8.self)
    }
    private let logLock = NSLock()
    private var logBytes = Data()

    /// The environment both processes get (planning started later gets it too).
    let environment: [String: String]
    private let planningLock = NSLock()
    private var planningProcess: Process?
    private var services: [Process] = []

    /// `planningRuns: false` starts the gateway alone, on the test vhost of the main broker,
    /// where no planning consumes during the tests: every command goes unanswered until
    /// ``startPlanning()``. `onFaultDatabase` puts the gateway on the fault PostgreSQL
    /// instance (which tests stop and start) instead of the test database.
    static func start(
        commandTimeoutSeconds: Int = 15, planningRuns: Bool = true, onFaultDatabase: Bool = false,
        gatewayEnvironment: [String: String] = [:]
    ) async throws -> GatewayStack {
        let store = try await onFaultDatabase ? Self.faultDatabaseStore() : IdentityStoreTests.serviceRoleStore()
        let suffix = String(UUID().uuidString.prefix(8).lowercased())
        var tokens: [Role: String] = [:]
        for role in Role.allCases {
            let user = try await store.createUser(name: "\(role.rawValue)-\(suffix)", roles: [role], createdBy: "test")
            tokens[role] = try await store.issueToken(for: user.id, label: "test", lifetime: .seconds(3600)).token.secret
        }
        var environment = ProcessInfo.processInfo.environment
        for owner in ["SHIPBOARD_MIGRATION_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_ADMIN_URL",
                      "SHIPBOARD_BENCH_DATABASE_URL"] {
            environment[owner] = nil
        }
        environment["SHIPBOARD_DATABASE_URL"] = try onFaultDatabase
            ? FaultPostgres.url(.service) : TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")
        environment["SHIPBOARD_AMQP_URL"] = try TestSettings.value(planningRuns ? "SHIPBOARD_TEST_FAULT_AMQP_URL" : "SHIPBOARD_TEST_AMQP_URL")
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        environment[AuditKeyring.variable] = try TestSettings.value(AuditKeyring.variable)
        environment["SHIPBOARD_MIGRATIONS_DIR"] = try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR")
        environment["SHIPBOARD_LOG_LEVEL"] = "debug"
        environment["SHIPBOARD_COMMAND_TIMEOUT_SECONDS"] = "\(commandTimeoutSeconds)"
        let gatewayOutput = Pipe()
        let gateway = try Self.launch("shipboard-gateway", environment.merging(gatewayEnvironment) { $1 }, output: gatewayOutput)
        do {
            let base = try Self.port(of: gatewayOutput)
            let stack = GatewayStack(
                gateway: gateway, base: base, store: store, tokens: tokens, suffix: suffix, environment: environment)
            if planningRuns {
                try stack.startPlanning()
                try await stack.waitUntilPlanningAnswers()
            }
            return stack
        } catch {
            gateway.terminate()
            throw error
        }
    }

    /// The identity store of the fault database, migrated, as the service role.
    static func faultDatabaseStore() async throws -> IdentityStore {
        try await MigrationGate.shared.ensureMigrated(FaultPostgres.configuration(.owner))
        return IdentityStore(pool: PostgresPool(configuration: try FaultPostgres.configuration(.service), maxConnections: 2), bcryptCost: 4)
    }

    private init(gateway: Process, base: URL, store: IdentityStore, tokens: [Role: String], suffix: String, environment: [String: String]) {
        self.gateway = gateway
        self.base = base
        self.store = store
        self.tokens = tokens
        self.suffix = suffix
        self.environment = environment
    }

    /// Starts shipboard-planning with the stack's environment; its stderr is ``planningLog``.
    func startPlanning() throws {
        let log = Pipe()
        let planning = try Self.launch("shipboard-planning", environment, output: Pipe(), log: log)
        log.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.logLock.lock()
            self.logBytes.append(data)
            self.logLock.unlock()
        }
        planningLock.withLock { planningProcess = planning }
    }

    /// Stops the planning that ``startPlanning()`` started (commands then go unanswered again).
    func stopPlanning() {
        guard let planning = planningLock.withLock({ () -> Process? in
            defer { planningProcess = nil }
            return planningProcess
        }) else { return }
        planning.terminate()
        planning.waitUntilExit()
    }

    /// Starts another service (e.g. `shipboard-build`) with the stack's environment plus
    /// `extra`; its log (stderr) goes to `log`. It is stopped with the stack.
    func startService(_ product: String, extra: [String: String], log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = try Self.launch(
            product, environment.merging(extra) { $1 }, output: Pipe(),
            logFile: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        planningLock.withLock { services.append(process) }
    }

    func stop() async {
        let (planning, others) = planningLock.withLock { (planningProcess, services) }
        for process in others { process.terminate() }
        planning?.terminate()
        gateway.terminate()
        for process in others { process.waitUntilExit() }
        planning?.waitUntilExit()
        gateway.waitUntilExit()
        await store.pool.close()
    }

    func name(_ role: Role) -> String { "\(role.rawValue)-\(suffix)" }

    /// A new user with `roles` and their token.
    func user(_ name: String, roles: Set<Role>) async throws -> String {
        let user = try await store.createUser(name: "\(name)-\(suffix)", roles: roles, createdBy: "test")
        return try await store.issueToken(for: user.id, label: "test", lifetime: .seconds(3600)).token.secret
    }

    /// Starts `product` with stdout to `output`; its log (stderr) goes to `log`, or nowhere.
    private static func launch(
        _ product: String, _ environment: [String: String], output: Pipe, log: Pipe? = nil, logFile: FileHandle? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = try ProductBinary.locate(product)
        process.environment = environment
        process.standardOutput = output
        process.standardError = log ?? logFile ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    static func port(of output: Pipe) throws -> URL {
        var seen = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
            if let line = String(decoding: seen, as: UTF8.self).split(separator: "\n").first(where: { $0.contains("listening on port") }),
               let port = line.split(separator: " ").last.flatMap({ Int($0) }) {
                // Keep draining stdout so the gateway never blocks on a full pipe.
                output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
                return URL(string: "http://127.0.0.1:\(port)")!
            }
        }
        throw TestSettingsError(description: "the gateway did not report its port: \(String(decoding: seen, as: UTF8.self))")
    }

    /// Planning consumes once it has migrated and declared its queue: a query through it
    /// (the audit verification of an unknown release) answers 404 from then on.
    func waitUntilPlanningAnswers() async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let response = try await call("GET", "/api/v1/releases/REL-999999998/audit/verification", as: .viewer)
            if response.status == 404 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSettingsError(description: "planning did not answer through the gateway within 60 s")
    }

    struct Response {
        let status: Int
        let contentType: String
        let json: [String: Any]
        let data: Data
        let headers: [String: String]

        var problemType: String? { json["type"] as? String }
        var isProblem: Bool { contentType.hasPrefix("application/problem+json") }
    }

    func call(
        _ method: String, _ path: String, as role: Role? = nil, token: String? = nil, json: Any? = nil, body: Data? = nil,
        headers: [String: String] = [:]
    ) async throws -> Response {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let token = token ?? role.flatMap({ tokens[$0] }) { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await Self.http.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return Response(
            status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "",
            json: (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], data: data, headers: fields)
    }
}

extension GatewayStack {
    /// The tests' HTTP client: no cookie store. `URLSession.shared` keeps every `Set-Cookie`
    /// (an API login's session cookie) and sends it to every gateway on 127.0.0.1 (cookies are
    /// not per port), where it once replaced a test's own session cookie and signed it out.
    static let http: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }()

    /// Runs `body` with a started stack and stops both processes however it ends.
    /// The stack with planning lives on the fault broker, so it holds that broker's lock
    /// (``FaultBroker/exclusively(_:)``) throughout: fault tests stop, kill and alarm the node,
    /// and must not do so under a test that needs it running. A stack without planning holds
    /// the test vhost's planning lock instead.
    static func with<Result: Sendable>(
        commandTimeoutSeconds: Int = 15, planningRuns: Bool = true, onFaultDatabase: Bool = false,
        gatewayEnvironment: [String: String] = [:], _ body: (GatewayStack) async throws -> Result
    ) async throws -> Result {
        func run() async throws -> Result {
            let stack = try await start(
                commandTimeoutSeconds: commandTimeoutSeconds, planningRuns: planningRuns, onFaultDatabase: onFaultDatabase,
                gatewayEnvironment: gatewayEnvironment)
            do {
                // Every test logs in from 127.0.0.1: failures that earlier tests (or earlier runs
                // on this database, within the 15-minute window) recorded for that address must
                // not throttle this one.
                try await stack.store.pool.query("DELETE FROM gateway.login_failures WHERE scope = 'address'")
                let result = try await body(stack)
                await stack.stop()
                return result
            } catch {
                await stack.stop()
                throw error
            }
        }
        // Without planning, the stack is on the main broker's test vhost, where a test may start
        // planning late (a resend once planning is back) while another expects nobody to answer
        // (a 504 at the timeout): such stacks take their turns.
        return planningRuns
            ? try await FaultBroker.exclusively { try await run() }
            : try await CrossProcessLock.exclusively("shipboard-test-vhost-planning") { try await run() }
    }
}

extension GatewayStack {
    /// The bearer token the tests' shipboard-testing serves DML downloads with.
    static let dmlToken = "dml-test-token-\(UUID().uuidString.prefix(8))"

    /// shipboard-testing's settings for a test: its folders under `folder`, the DML download
    /// server on `dmlPort` (0: any free port).
    static func testingEnvironment(folder: String, imageStore: String? = nil, dmlPort: Int = 0) -> [String: String] {
        for sub in ["images", "dml", "work"] {
            try? FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        return [
            "SHIPBOARD_IMAGE_STORE": imageStore ?? folder + "/images", "SHIPBOARD_DML_STORE": folder + "/dml",
            "SHIPBOARD_SANDBOX_ROOT": folder + "/work", "SHIPBOARD_DML_TOKEN": dmlToken,
            "SHIPBOARD_DML_HTTP_PORT": String(dmlPort), "SHIPBOARD_HTTP_PORT": "0",
        ]
    }

    /// shipboard-testing consumes once it has migrated and declared its queue: a verify-all
    /// through the gateway is answered from then on (resent with one key, so applied once).
    func waitUntilTestingAnswers() async throws {
        let key = UUID().uuidString
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let response = try await call("POST", "/api/v1/dml/verify", as: .admin, headers: ["Idempotency-Key": key])
            if response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSettingsError(description: "shipboard-testing did not answer through the gateway within 60 s")
    }
}
