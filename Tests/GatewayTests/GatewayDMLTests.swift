import Contracts
import Crypto
import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// A release's image tested, accepted into the DML and fetched back through the gateway, with
/// planning, shipboard-build and shipboard-testing as processes (build and testing share the
/// image store, as in compose): the reads answer from their tables, the archive streams from
/// shipboard-testing's download server with its digest, and the CLI keeps a download only
/// when that digest matches.
@Suite("Gateway: test runs, acceptance and the DML", .serialized)
struct GatewayDMLTests {
    @Test("test run, results, accept, list, show, download (whole, a range, the CLI), verify and retire")
    func testAcceptDownload() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-dml-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let uploads = folder + "/import/uploads"
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
        // A port the system hands out now, for the download server the gateway is told about.
        let probe = try TCPProxy(forwardingTo: "127.0.0.1", port: 9)
        let dmlPort = probe.port
        await probe.close()
        try await GatewayStack.with(gatewayEnvironment: [
            "SHIPBOARD_UPLOAD_ROOT": uploads, "SHIPBOARD_DML_URL": "http://127.0.0.1:\(dmlPort)", "SHIPBOARD_DML_TOKEN": GatewayStack.dmlToken,
        ]) { stack in
            try stack.startService("shipboard-build", extra: [
                "SHIPBOARD_IMPORT_ROOT": folder + "/import", "SHIPBOARD_IMAGE_STORE": folder + "/images", "SHIPBOARD_HTTP_PORT": "0",
            ], log: folder + "/build.log")
            try stack.startService("shipboard-testing", extra: GatewayStack.testingEnvironment(
                folder: folder, imageStore: folder + "/images", dmlPort: dmlPort), log: folder + "/testing.log")
            let key = try await GatewayImageTests.createRelease(stack)
            let version = "2.0.\(stack.suffix)"
            try await Self.buildPassingImage(stack, key, version: version)
            try await stack.waitUntilTestingAnswers()

            let tester = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.tester]!]
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/test-runs", as: .buildEngineer).status == 403)
            let run = try CLIEndToEndTests.shipboard(["test", "run", key], environment: tester)
            #expect(run.status == 0 && run.out.contains("queued"), "\(run.err)")
            let runs = try await Self.poll { () async throws -> [[String: Any]]? in
                let items = try await stack.call("GET", "/api/v1/releases/\(key)/test-runs", as: .viewer).json["items"] as? [[String: Any]] ?? []
                return items.isEmpty ? nil : items
            }
            let tested = try #require(runs.first)
            #expect(tested["outcome"] as? String == "passed" && tested["requestedBy"] as? String == stack.name(.tester), "\(tested)")
            let results = tested["results"] as? [[String: Any]] ?? []
            #expect(!results.isEmpty && results.allSatisfy { $0["output"] == nil }, "a list leaves each test's output out")
            let runId = try #require(tested["id"] as? Int)
            let one = try await stack.call("GET", "/api/v1/test-runs/\(runId)", as: .viewer)
            #expect(one.status == 200 && (one.json["results"] as? [[String: Any]] ?? []).allSatisfy { $0["output"] is String })
            #expect(try await stack.call("GET", "/api/v1/test-runs/999999999", as: .viewer).status == 404)
            let results1 = try CLIEndToEndTests.shipboard(["test", "results", key], environment: tester)
            #expect(results1.status == 0 && results1.out.contains("run \(runId) of \(key): passed"), "\(results1.out)\(results1.err)")

            // A rejection needs a reason (refused in the gateway); then the tester accepts.
            let noReason = try await stack.call("POST", "/api/v1/releases/\(key)/acceptance", as: .tester, json: ["decision": "reject"])
            #expect(noReason.status == 400 && noReason.problemType == "urn:shipboard:problem:validation:acceptance.reason")
            for hostile in ["no\u{0}pe", String(repeating: "r", count: 1001)] {
                let refused = try await stack.call(
                    "POST", "/api/v1/releases/\(key)/acceptance", as: .tester, json: ["decision": "reject", "reason": hostile])
                #expect(refused.status == 400, "\(String(decoding: refused.data, as: UTF8.self))")
            }
            let accept = try CLIEndToEndTests.shipboard(["test", "accept", key, "--run", "\(runId)", "--output", "json"], environment: tester)
            #expect(accept.status == 0, "\(accept.err)")
            let decided = try JSONSerialization.jsonObject(with: Data(accept.out.utf8)) as? [String: Any] ?? [:]
            let entry = decided["entry"] as? [String: Any] ?? [:]
            #expect(decided["decision"] as? String == "accepted" && entry["acceptedBy"] as? String == stack.name(.tester), "\(decided)")
            let sha256 = try #require(entry["sha256"] as? String)

            // The DML's reads: the list by name and state, one entry with provenance and pins.
            let listed = try await stack.call("GET", "/api/v1/dml?name=gateway-dml&state=available&limit=200", as: .viewer)
            let names = (listed.json["items"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")@\($0["version"] ?? "")" }
            #expect(listed.status == 200 && names.contains("gateway-dml@\(version)"), "\(names)")
            #expect(try await stack.call("GET", "/api/v1/dml?name=gateway-dml&state=retired&limit=200", as: .viewer)
                .json["items"].map { ($0 as? [[String: Any]] ?? []).allSatisfy { $0["version"] as? String != version } } == true)
            let shown = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)", as: .viewer)
            let provenance = shown.json["provenance"] as? [String: Any] ?? [:]
            #expect(shown.status == 200 && provenance["builtBy"] as? String == stack.name(.buildEngineer)
                    && provenance["testedBy"] as? String == stack.name(.tester) && provenance["testOutcome"] as? String == "passed",
                    "\(String(decoding: shown.data, as: UTF8.self))")
            #expect((shown.json["pins"] as? [Any])?.isEmpty == true)
            #expect(try await stack.call("GET", "/api/v1/dml/gateway-dml/9.9.9-none", as: .viewer).status == 404)
            #expect(try await stack.call("GET", "/api/v1/dml/gateway%00dml/1", as: .viewer).status == 400)

            // The archive: whole (its digest is what it is), a range, and through the CLI.
            let whole = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)/content", as: .viewer)
            #expect(whole.status == 200 && whole.headers["x-shipboard-sha256"] == sha256)
            #expect(LowercaseHex.encode(SHA256.hash(data: whole.data)) == sha256)
            let part = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)/content", as: .viewer, headers: ["Range": "bytes=10-19"])
            #expect(part.status == 206 && part.data == whole.data[10..<20] && part.headers["content-range"] == "bytes 10-19/\(whole.data.count)",
                    "\(part.headers)")
            let beyond = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)/content", as: .viewer,
                                              headers: ["Range": "bytes=\(whole.data.count + 10)-"])
            #expect(beyond.status == 416 && beyond.isProblem)
            let target = folder + "/downloaded.tar.gz"
            let download = try CLIEndToEndTests.shipboard(["dml", "download", "gateway-dml@\(version)", "-o", target], environment: tester)
            #expect(download.status == 0 && download.out.contains(sha256), "\(download.err)")
            #expect(FileManager.default.contents(atPath: target) == whole.data)
            #expect(try GatewayImageTests.files(under: folder).filter { $0.contains(".shipboard-download-") }.isEmpty)

            // Verify-all re-hashes every entry of the (shared) test database; this one matches.
            let verify = try CLIEndToEndTests.shipboard(["dml", "verify"], environment: tester)
            #expect(verify.out.hasPrefix("checked ") && !verify.out.contains("gateway-dml@\(version)"), "\(verify.out)\(verify.err)")

            // The stored archive altered behind the DML's back (same size): the download server
            // still announces the recorded digest, so the CLI refuses what it received and keeps
            // nothing; verify-all names the entry.
            let stored = folder + "/dml/\(sha256).tar.gz"
            var altered = whole.data
            altered[altered.count / 2] ^= 0xFF
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: stored)
            try altered.write(to: URL(fileURLWithPath: stored))
            let tampered = folder + "/tampered.tar.gz"
            let refused = try CLIEndToEndTests.shipboard(["dml", "download", "gateway-dml@\(version)", "-o", tampered], environment: tester)
            #expect(refused.status == 1 && refused.err.contains("does not match its digest"), "\(refused.err)")
            #expect(!FileManager.default.fileExists(atPath: tampered))
            #expect(try GatewayImageTests.files(under: folder).filter { $0.contains(".shipboard-download-") }.isEmpty)
            let reverify = try CLIEndToEndTests.shipboard(["dml", "verify"], environment: tester)
            #expect(reverify.status == 1 && reverify.out.contains("gateway-dml@\(version)"), "\(reverify.out)\(reverify.err)")
            // Retiring: a reason is needed; a tester may not; a release manager may, and then the content is gone.
            let noRetireReason = try await stack.call("DELETE", "/api/v1/dml/gateway-dml/\(version)", as: .releaseManager)
            #expect(noRetireReason.status == 400 && noRetireReason.problemType == "urn:shipboard:problem:validation:dml.retire_reason")
            #expect(try await stack.call("DELETE", "/api/v1/dml/gateway-dml/\(version)?reason=old", as: .tester).status == 403)
            let manager = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.releaseManager]!]
            let retire = try CLIEndToEndTests.shipboard(["dml", "retire", "gateway-dml@\(version)", "--reason", "superseded"], environment: manager)
            #expect(retire.status == 0, "\(retire.err)")
            let retired = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)", as: .viewer)
            #expect(retired.json["retiredReason"] as? String == "superseded" && retired.json["retiredBy"] as? String == stack.name(.releaseManager))
            #expect(try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)/content", as: .viewer).status == 404)
            let gone = try CLIEndToEndTests.shipboard(["dml", "download", "gateway-dml@\(version)", "-o", folder + "/gone.tar.gz"], environment: tester)
            #expect(gone.status == 4 && !FileManager.default.fileExists(atPath: folder + "/gone.tar.gz"), "\(gone.err)")
        }
    }

    /// Uploads the passing test image's files, saves its spec and builds it (as the build engineer).
    static func buildPassingImage(_ stack: GatewayStack, _ key: String, version: String) async throws {
        try await savePassingImageSpec(stack, key, version: version)
        let build = try await GatewayImageTests.untilAnswered(stack, "POST", "/api/v1/releases/\(key)/image/builds")
        #expect(build.status == 202, "\(String(decoding: build.data, as: UTF8.self))")
        let builds = try await GatewayImageTests.builds(stack, key, until: { !$0.isEmpty })
        #expect(builds.first?["outcome"] as? String == "built", "\(builds)")
    }

    /// Uploads the files of an image whose tests pass (as the build engineer) and saves its spec.
    static func savePassingImageSpec(_ stack: GatewayStack, _ key: String, version: String) async throws {
        let files: [(String, String)] = [
            ("install.sh", "#!/bin/sh\nset -e\nmkdir -p \"$SHIPBOARD_TARGET_ROOT/opt/app\"\ncp payload/app.conf \"$SHIPBOARD_TARGET_ROOT/opt/app/\"\n"),
            ("backout.sh", "#!/bin/sh\nrm -rf \"$SHIPBOARD_TARGET_ROOT/opt\"\n"),
            ("verify.sh", "#!/bin/sh\ntest -f \"$SHIPBOARD_TARGET_ROOT/opt/app/app.conf\"\n"),
            ("payload/app.conf", "threads = 4\n"),
        ]
        for (path, content) in files {
            let uploaded = try await GatewayImageTests.upload(stack, key, path.replacingOccurrences(of: "/", with: "%2F"), Data(content.utf8))
            #expect(uploaded.status == 201, "\(String(decoding: uploaded.data, as: UTF8.self))")
        }
        let spec: [String: Any] = ["name": "gateway-dml", "version": version, "files": files.map { path, _ in
            ["path": path, "from": "uploads/\(key)/\(path)", "executable": path.hasSuffix(".sh")] as [String: Any]
        }]
        let saved = try await GatewayImageTests.untilAnswered(stack, "PUT", "/api/v1/releases/\(key)/image-spec", json: spec)
        #expect(saved.status == 200, "\(String(decoding: saved.data, as: UTF8.self))")
    }

    /// `read` until it answers something (or 90 s).
    static func poll<Value>(_ read: () async throws -> Value?) async throws -> Value {
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let value = try await read() { return value }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw TestSettingsError(description: "nothing came within 90 s")
    }
}
