import AsyncHTTPClient
import Foundation

/// The benchmark's HTTP side: authenticated calls to the gateway, an open-loop load, and wrk.
struct WebCalls: Sendable {
    let http: HTTPClient
    let base: String
    let token: String

    func call(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    /// Creates a release through the gateway; its key.
    func createRelease(title: String) async throws -> String {
        let (status, body) = try await call("POST", "/api/v1/releases", json: ["title": title])
        guard status == 201, let key = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["releaseKey"] as? String else {
            throw BenchmarkError("create via gateway: \(status) \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return key
    }

    /// Creates a release and submits it through the gateway; its key.
    func createAndSubmit(title: String) async throws -> String {
        let key = try await createRelease(title: title)
        let (submitted, answer) = try await call("POST", "/api/v1/releases/\(key)/submit")
        guard submitted == 200 else { throw BenchmarkError("submit via gateway: \(submitted) \(String(decoding: answer.prefix(200), as: UTF8.self))") }
        return key
    }

    /// GETs `path` at `rate` per second for `seconds`, each request due at its slot; records
    /// each latency from its due time. Returns how many failed (not 200).
    func openLoop(path: String, rate: Int, seconds: Int, into recorder: LatencyRecorder) async throws -> Int {
        let interval = Duration.seconds(1) / rate
        let start = ContinuousClock.now + .milliseconds(50)
        return await withTaskGroup(of: Bool.self) { group in
            for index in 0..<(rate * seconds) {
                let due = start + interval * index
                try? await Task.sleep(until: due, clock: .continuous)
                group.addTask {
                    let ok = (try? await call("GET", path).0) == 200
                    let elapsed = ContinuousClock.now - due
                    await recorder.add(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                    return ok
                }
            }
            var failures = 0
            for await ok in group where !ok { failures += 1 }
            return failures
        }
    }
}

/// Debian's wrk (installed by install-deps.sh): the peak rate of one URL, 2 threads, 32 connections.
enum Wrk {
    static func requestsPerSecond(url: String, token: String?, seconds: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c32", "-d\(seconds)s"] + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard !text.contains("Non-2xx"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
              let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { throw BenchmarkError("wrk \(url): \(text)") }
        return value
    }
}
