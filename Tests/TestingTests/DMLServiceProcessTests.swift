import AMQP
import Contracts
import Crypto
import Foundation
import Glibc
import Images
import Messaging
import Postgres
import ShipboardTestSupport
import Testing
import TestingCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Acceptance and downloads through the real shipboard-testing binary: a tested image
/// accepted over the broker lands in the process's DML store, and its download server (on
/// the port the system chose) serves it to a bearer of the token, whole and by range.
@Suite("shipboard-testing as a process: acceptance and DML downloads")
struct DMLServiceProcessTests {
    @Test("testing.accept_image over RabbitMQ copies the image into the DML; GET /dml/{name}/{version} with the token streams it, digest in the header; 401 without")
    func acceptThenDownload() async throws {
        try await TestingServiceProcessTests.withPreparedServers { amqpURL, database, folder in
            try await Self.scenario(in: folder, amqpURL: amqpURL, database: database)
        }
    }

    static func scenario(in folder: String, amqpURL: String, database: PostgresConfiguration) async throws {
        let release = "REL-Q\(Int.random(in: 10_000...99_999))"
        let name = "dml-process-\(UUID().uuidString.prefix(8).lowercased())"
        let bytes = Data((0..<200_000).map { _ in UInt8.random(in: 0...255) })
        try bytes.write(to: URL(fileURLWithPath: folder + "/image.bin"))
        let sha256 = try DirectoryImageStore(root: folder + "/images").add(fileAt: folder + "/image.bin", expected: nil).hex
        let owner = PostgresPool(configuration: database, maxConnections: 1)
        let manifest = ImageManifest(format: 1, name: name, version: "1.0.0", releaseKey: release, targetClasses: [], files: [])
        let buildId = try await owner.query(
            """
            INSERT INTO build.image_builds (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(release), 'build', 1, 'built', \(sha256), \(Int64(bytes.count)), \(json: manifest)::jsonb, 'bea') RETURNING id
            """).single().decode(at: 0, as: Int64.self)
        try await owner.query(
            """
            INSERT INTO testing.test_runs (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed, requested_by, started_at)
            VALUES (\(UUID()), \(release), 'test', \(buildId), \(sha256), 'passed', 8, 0, 'shipboard-planning', now())
            """)
        await owner.close()

        let process = try TestingServiceProcessTests.launch(folder: folder, amqpURL: amqpURL)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
        let clientTask = Task { await client.run() }
        defer { clientTask.cancel() }
        let requests = RequestClient(amqp: client)
        // Resent (same envelope) until the starting service answers; the inbox makes it once.
        let accept = Envelope(AcceptImage(releaseKey: release), correlationId: release, actor: "tess")
        var entry: DMLEntry?
        let deadline = ContinuousClock.now + .seconds(90)
        while entry == nil && ContinuousClock.now < deadline {
            entry = try? await requests.send(accept, timeout: .seconds(5))
            if entry == nil { try await Task.sleep(for: .milliseconds(300)) }
        }
        await requests.close()
        #expect(entry?.name == name && entry?.sha256 == sha256 && entry?.acceptedBy == "tess")
        #expect(try DirectoryImageStore(root: folder + "/dml").digests().map(\.hex) == [sha256])

        let base = try await Self.downloadBase(log: folder + "/testing.log")
        var request = URLRequest(url: base.appendingPathComponent("dml/\(name)/1.0.0"))
        let (_, refused) = try await URLSession.shared.data(for: request)
        #expect((refused as? HTTPURLResponse)?.statusCode == 401)
        request.setValue("Bearer process-test-token", forHTTPHeaderField: "Authorization")
        let (body, whole) = try await URLSession.shared.data(for: request)
        #expect((whole as? HTTPURLResponse)?.statusCode == 200)
        #expect((whole as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Shipboard-SHA256") == sha256)
        #expect(LowercaseHex.encode(SHA256.hash(data: body)) == sha256)
        request.setValue("bytes=-1000", forHTTPHeaderField: "Range")
        let (tail, partial) = try await URLSession.shared.data(for: request)
        #expect((partial as? HTTPURLResponse)?.statusCode == 206)
        #expect(tail == bytes.suffix(1000))

        try await TestingServiceProcessTests.stop(process)
    }

    /// The download server's address, from its "DML downloads listening" log line (plain or JSON).
    static func downloadBase(log: String) async throws -> URL {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("DML downloads listening") }),
               let match = line.firstMatch(of: /dml\.port"?[=:]"?(\d+)/), let port = Int(match.1), port > 0 {
                return URL(string: "http://127.0.0.1:\(port)")!
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSettingsError(description: "shipboard-testing did not report its DML port")
    }
}
