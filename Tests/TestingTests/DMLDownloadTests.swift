import Contracts
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Images
import Postgres
import ShipboardTestSupport
import Testing
import TestingCore

/// The DML download routes, driven in-process (HummingbirdTesting) over a catalog on the
/// real PostgreSQL and a store folder: authentication, whole and partial bodies, the
/// digest headers, 404/410, and hostile names.
@Suite("DML downloads")
struct DMLDownloadTests {
    static let token = "dml-test-token-\(UUID().uuidString)"
    static let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

    struct Fixture {
        let bytes: Data
        let sha256: String
        let retiredSha256: String
    }

    /// A schema with `payroll@1.0` (available, 300 KB: several read chunks) and
    /// `payroll@0.9` (retired), their files in a store; the router over both.
    static func withRouter(_ body: (Fixture, any ApplicationProtocol) async throws -> Void) async throws {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let schema = "dmldl_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: 2)
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-dml-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try await pool.query("SELECT public.shipboard_create_testing_schema(\(schema))")
            let store = try DirectoryImageStore(root: folder + "/dml")
            func stored(_ bytes: Data) throws -> String {
                let source = folder + "/\(UUID().uuidString)"
                try bytes.write(to: URL(fileURLWithPath: source))
                return try store.add(fileAt: source, expected: nil).hex
            }
            let bytes = Data((0..<300_000).map { _ in UInt8.random(in: 0...255) })
            let sha256 = try stored(bytes)
            let retired = try stored(Data("old".utf8))
            let run = try await pool.query(
                """
                INSERT INTO \(identifier: schema).test_runs
                    (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed, requested_by, started_at)
                VALUES (\(UUID()), 'REL-1', 'test', 1, \(sha256), 'passed', 1, 0, 'shipboard-planning', now()) RETURNING id
                """).single().decode(at: 0, as: Int64.self)
            try await pool.query(
                """
                INSERT INTO \(identifier: schema).dml_entries
                    (name, version, sha256, size, release_key, build_id, test_run_id, accepted_by, state, retired_at, retired_by, retired_reason)
                VALUES ('payroll', '1.0', \(sha256), \(Int64(bytes.count)), 'REL-1', 1, \(run), 'tess', 'available', NULL, NULL, NULL),
                       ('payroll', '0.9', \(retired), 3, 'REL-1', 1, \(run), 'tess', 'retired', now(), 'rita', 'superseded')
                """)
            let router = DMLDownloadRouter(catalog: PostgresDMLCatalog(pool: pool, schema: schema), store: store, token: DMLBearerToken(token))
            try await body(Fixture(bytes: bytes, sha256: sha256, retiredSha256: retired), Application(router: router.router()))
        } catch {
            _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await pool.close()
            throw error
        }
        try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }

    @Test("without the right bearer token every request is 401, and the answer never echoes what was sent")
    func authentication() async throws {
        try await Self.withRouter { _, app in
            try await app.test(.router) { client in
                let wrong = "Bearer not-the-token-\(UUID().uuidString)"
                for headers: HTTPFields in [[:], [.authorization: wrong], [.authorization: "Basic \(Self.token)"], [.authorization: "Bearer "]] {
                    for uri in ["/dml/payroll/1.0", "/dml/nothing/1", "/dml/sha256/\(String(repeating: "0", count: 64))"] {
                        try await client.execute(uri: uri, method: .get, headers: headers) { response in
                            #expect(response.status == .unauthorized)
                            #expect(response.headers[.wwwAuthenticate] == "Bearer")
                            #expect(!String(buffer: response.body).contains("not-the-token") && !String(buffer: response.body).contains(Self.token))
                        }
                    }
                }
            }
        }
    }

    @Test("GET streams the whole archive with its digest headers; HEAD gives the headers alone; by digest too")
    func wholeBody() async throws {
        try await Self.withRouter { fixture, app in
            try await app.test(.router) { client in
                for uri in ["/dml/payroll/1.0", "/dml/sha256/\(fixture.sha256)"] {
                    try await client.execute(uri: uri, method: .get, headers: Self.bearer) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[DMLDownloadRouter.digestHeader] == fixture.sha256)
                        #expect(response.headers[.eTag] == "\"\(fixture.sha256)\"")
                        #expect(response.headers[.contentType] == "application/gzip")
                        #expect(response.headers[.acceptRanges] == "bytes")
                        #expect(response.headers[.contentLength] == String(fixture.bytes.count))
                        let body = Data(buffer: response.body)
                        #expect(LowercaseHex.encode(SHA256.hash(data: body)) == fixture.sha256)
                    }
                    try await client.execute(uri: uri, method: .head, headers: Self.bearer) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentLength] == String(fixture.bytes.count))
                        #expect(response.headers[DMLDownloadRouter.digestHeader] == fixture.sha256)
                        #expect(response.body.readableBytes == 0)
                    }
                }
            }
        }
    }

    @Test("one byte range answers 206 with Content-Range and exactly those bytes; past the end is 416")
    func ranges() async throws {
        try await Self.withRouter { fixture, app in
            let size = fixture.bytes.count
            try await app.test(.router) { client in
                for (header, first, last) in [("bytes=0-99", 0, 99), ("bytes=150000-", 150_000, size - 1), ("bytes=-1000", size - 1000, size - 1),
                                              ("bytes=299990-400000", 299_990, size - 1)] {
                    var headers = Self.bearer
                    headers[.range] = header
                    try await client.execute(uri: "/dml/payroll/1.0", method: .get, headers: headers) { response in
                        #expect(response.status == .partialContent, "\(header)")
                        #expect(response.headers[.contentRange] == "bytes \(first)-\(last)/\(size)")
                        #expect(response.headers[.contentLength] == String(last - first + 1))
                        #expect(Data(buffer: response.body) == fixture.bytes[first...last])
                    }
                }
                var unsatisfiable = Self.bearer
                unsatisfiable[.range] = "bytes=\(size)-"
                try await client.execute(uri: "/dml/payroll/1.0", method: .get, headers: unsatisfiable) { response in
                    #expect(response.status == .rangeNotSatisfiable)
                    #expect(response.headers[.contentRange] == "bytes */\(size)")
                }
            }
        }
    }

    @Test("an unknown entry is 404, a retired one 410, by name and by digest")
    func missingAndRetired() async throws {
        try await Self.withRouter { fixture, app in
            try await app.test(.router) { client in
                for (uri, status) in [("/dml/payroll/7.7", HTTPResponse.Status.notFound), ("/dml/ledger/1.0", .notFound),
                                      ("/dml/sha256/\(String(repeating: "c", count: 64))", .notFound),
                                      ("/dml/payroll/0.9", .gone), ("/dml/sha256/\(fixture.retiredSha256)", .gone)] {
                    try await client.execute(uri: uri, method: .get, headers: Self.bearer) { response in
                        #expect(response.status == status, "\(uri)")
                    }
                }
            }
        }
    }

    @Test("hostile names, versions and digests are 400 and never reach the file system")
    func hostileInput() async throws {
        try await Self.withRouter { _, app in
            try await app.test(.router) { client in
                let long = String(repeating: "n", count: 300)
                for uri in ["/dml/%2e%2e/%2e%2e", "/dml/payroll/..", "/dml/..%2F..%2Fetc/passwd", "/dml/\(long)/1.0", "/dml/payroll/1%000",
                            "/dml/payroll/%0a1", "/dml/sha256/..%2F..%2Fetc%2Fpasswd", "/dml/sha256/\(String(repeating: "A", count: 64))"] {
                    try await client.execute(uri: uri, method: .get, headers: Self.bearer) { response in
                        #expect(response.status == .badRequest, "\(uri)")
                    }
                }
            }
        }
    }
}
