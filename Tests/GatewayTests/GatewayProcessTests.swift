import Foundation
import GatewayCore
import Postgres
import ShipboardTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// shipboard-gateway as a separate process on the real `gateway` schema (as the service role):
/// the document is public, everything else needs a valid bearer token, and errors are problems.
@Suite("shipboard-gateway as a process", .serialized)
struct GatewayProcessTests {
    /// Starts the gateway on a free port; returns the process and its base URL.
    static func start(_ settings: [String: String] = [:]) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = try ProductBinary.locate("shipboard-gateway")
        process.environment = try environment().merging(settings) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            return (process, try GatewayStack.port(of: output))
        } catch {
            process.terminate()
            throw error
        }
    }

    static func environment() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SHIPBOARD_DATABASE_URL"] = try TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")
        environment["SHIPBOARD_AMQP_URL"] = try TestSettings.value("SHIPBOARD_TEST_AMQP_URL")
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        return environment
    }

    @Test("a setting out of range or malformed (event loops, upload limit, DML URL): the gateway refuses to start, names the variable, never echoes the DML token", arguments: [
        ("SHIPBOARD_GATEWAY_EVENT_LOOPS", ["0", "65", "two", "-1"]), ("SHIPBOARD_UPLOAD_LIMIT_MB", ["0", "lots", "1048577"]),
        ("SHIPBOARD_DML_URL", ["ftp://dml", "127.0.0.1:8093"]),
    ])
    func settingsAreValidated(variable: String, values: [String]) throws {
        for value in values {
            let process = Process()
            process.executableURL = try ProductBinary.locate("shipboard-gateway")
            process.environment = try Self.environment().merging([variable: value, "SHIPBOARD_DML_TOKEN": "dml-secret-never-shown"]) { $1 }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(value) was accepted")
            #expect(text.contains(variable), "\(value): \(text)")
            #expect(!text.contains("dml-secret-never-shown"))
        }
    }

    @Test("with four event loops the gateway serves 64 requests at once, each answered with its own request id")
    func severalEventLoopsServe() async throws {
        let (process, base) = try Self.start(["SHIPBOARD_GATEWAY_EVENT_LOOPS": "4"])
        defer { process.terminate() }
        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let (status, _, document, id) = try await Self.exchange(base, "/api/v1/openapi.json", requestID: "loops-\(index)")
                    return status == 200 && document["openapi"] as? String == "3.1.0" && id == "loops-\(index)"
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answers.count == 64 && answers.allSatisfy { $0 })
    }

    static func get(
        _ base: URL, _ path: String, token: String? = nil, requestID: String? = nil
    ) async throws -> (Int, String, [String: Any]) {
        let (status, type, json, _) = try await exchange(base, path, token: token, requestID: requestID)
        return (status, type, json)
    }

    /// A GET with its response's X-Request-Id.
    static func exchange(
        _ base: URL, _ path: String, token: String? = nil, requestID: String? = nil
    ) async throws -> (Int, String, [String: Any], String?) {
        var request = URLRequest(url: base.appendingPathComponent(path))
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let requestID { request.setValue(requestID, forHTTPHeaderField: "X-Request-Id") }
        let (data, response) = try await GatewayStack.http.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", json, http.value(forHTTPHeaderField: "X-Request-Id"))
    }

    @Test("the document is public; a token is required and checked; roles come from the store; errors are problems")
    func tokensAndProblems() async throws {
        let store = try await IdentityStoreTests.serviceRoleStore()
        let pool = store.pool
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let viewer = try await store.createUser(name: "viewer-\(suffix)", roles: [.viewer], createdBy: "test")
        let viewerToken = try await store.issueToken(for: viewer.id, label: "test", lifetime: .seconds(600))
        let nobody = try await store.createUser(name: "nobody-\(suffix)", roles: [], createdBy: "test")
        let nobodyToken = try await store.issueToken(for: nobody.id, label: "test", lifetime: .seconds(600))

        let (process, base) = try Self.start()
        defer { process.terminate() }

        let (documentStatus, _, document) = try await Self.get(base, "/api/v1/openapi.json")
        #expect(documentStatus == 200 && document["openapi"] as? String == "3.1.0")

        for token in [nil, "", "sbt_" + String(repeating: "A", count: 43), "not a token", "sbt_" + String(repeating: "x", count: 300)] {
            let (status, type, problem) = try await Self.get(base, "/api/v1/me", token: token)
            #expect(status == 401 && type.hasPrefix("application/problem+json"), "\(String(describing: token))")
            #expect(problem["type"] as? String == "urn:shipboard:problem:unauthorized:auth.token")
        }
        let (meStatus, _, me) = try await Self.get(base, "/api/v1/me", token: viewerToken.token.secret)
        #expect(meStatus == 200 && me["name"] as? String == "viewer-\(suffix)" && me["roles"] as? [String] == ["viewer"])

        let (missingStatus, missingType, missing) = try await Self.get(base, "/api/v1/releases/REL-999999999", token: viewerToken.token.secret)
        #expect(missingStatus == 404 && missingType.hasPrefix("application/problem+json"))
        #expect(missing["type"] as? String == "urn:shipboard:problem:not_found:releases.exists")

        let (forbiddenStatus, _, forbidden) = try await Self.get(base, "/api/v1/releases/REL-000001", token: nobodyToken.token.secret)
        #expect(forbiddenStatus == 403 && forbidden["type"] as? String == "urn:shipboard:problem:forbidden:auth.role")

        // Every API response carries X-Request-Id: the caller's when well-formed, else a fresh one.
        let (_, _, _, echoed) = try await Self.exchange(base, "/api/v1/me", token: viewerToken.token.secret, requestID: "trace-42.a_b")
        #expect(echoed == "trace-42.a_b")
        let (unauthorized, _, _, replaced) = try await Self.exchange(
            base, "/api/v1/me", requestID: "evil id; " + String(repeating: "x", count: 80))
        #expect(unauthorized == 401)
        #expect(replaced.map { UUID(uuidString: $0) != nil } == true, "an id that is not well-formed is replaced, on a 401 too")

        // Revoked behind this gateway's back (in the database, as another replica would): it
        // holds once the gateway's one-second authentication cache has let the token go.
        #expect(try await store.revokeToken(viewerToken.id))
        try await Task.sleep(for: .milliseconds(1100))
        let (revokedStatus, _, _) = try await Self.get(base, "/api/v1/me", token: viewerToken.token.secret)
        #expect(revokedStatus == 401)
        await pool.close()
    }
}
