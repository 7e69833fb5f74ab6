import Contracts
import Crypto
import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A release's image through the gateway, with shipboard-build and planning running as
/// processes: files uploaded as streams (by the `shipboard` CLI) into the build service's
/// import root, a spec naming them, a build from them; hostile and oversized uploads refused
/// with nothing left on disk.
@Suite("Gateway: images, uploads and builds", .serialized)
struct GatewayImageTests {
    /// The gateway's upload limit in these tests (MiB).
    static let uploadLimitMB = 1

    @Test("upload (streamed by the CLI), spec, build and show; hostile and oversized uploads refused, nothing left behind")
    func uploadSpecBuildShow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-images-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let importRoot = folder + "/import", uploads = importRoot + "/uploads", store = folder + "/images", local = folder + "/local"
        for path in [uploads, store, local] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try await GatewayStack.with(gatewayEnvironment: [
            "SHIPBOARD_UPLOAD_ROOT": uploads, "SHIPBOARD_UPLOAD_LIMIT_MB": "\(Self.uploadLimitMB)",
        ]) { stack in
            try stack.startService("shipboard-build", extra: [
                "SHIPBOARD_IMPORT_ROOT": importRoot, "SHIPBOARD_IMAGE_STORE": store, "SHIPBOARD_HTTP_PORT": "0",
            ], log: folder + "/build.log")
            let key = try await Self.createRelease(stack)
            let engineer = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.buildEngineer]!]

            // Three files, one of them in a folder and larger than one read chunk.
            var payload = [UInt8](repeating: 0, count: 700_000)
            for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 9) }
            try Data("#!/bin/sh\necho install\n".utf8).write(to: URL(fileURLWithPath: local + "/install.sh"))
            try Data("#!/bin/sh\necho backout\n".utf8).write(to: URL(fileURLWithPath: local + "/backout.sh"))
            try Data(payload).write(to: URL(fileURLWithPath: local + "/app.bin"))
            for name in ["install.sh", "backout.sh"] {
                let upload = try CLIEndToEndTests.shipboard(["image", "upload", key, local + "/" + name], environment: engineer)
                #expect(upload.status == 0 && upload.out.contains("uploads/\(key)/\(name)"), "\(upload.err)")
            }
            let app = try CLIEndToEndTests.shipboard(
                ["image", "upload", key, local + "/app.bin", "--as", "bin/app.bin", "--output", "json"], environment: engineer)
            #expect(app.status == 0, "\(app.err)")
            let answer = try JSONSerialization.jsonObject(with: Data(app.out.utf8)) as? [String: Any] ?? [:]
            #expect(answer["from"] as? String == "uploads/\(key)/bin/app.bin")
            #expect(answer["sha256"] as? String == LowercaseHex.encode(SHA256.hash(data: payload)))
            #expect(answer["size"] as? Int == payload.count)
            #expect(FileManager.default.contents(atPath: "\(uploads)/\(key)/bin/app.bin") == Data(payload))

            // Hostile names are refused, naming the path; a viewer may not upload at all.
            for hostile in ["..%2F..%2Fetc%2Fcron.d%2Fx", "%2Fetc%2Fpasswd", "a%00b", String(repeating: "x", count: 300)] {
                let refused = try await Self.upload(stack, key, hostile, Data("x".utf8))
                #expect(refused.status == 400 && refused.problemType == "urn:shipboard:problem:validation:uploads.path",
                        "\(hostile): \(refused.status) \(String(decoding: refused.data, as: UTF8.self))")
            }
            #expect(try await Self.upload(stack, key, "ok.txt", Data("x".utf8), as: .viewer).status == 403)
            #expect(try await Self.upload(stack, "REL-999999991", "ok.txt", Data("x".utf8)).status == 404)
            // Over the limit: 413 and nothing written, not even a temporary file; the file it
            // would have replaced is untouched.
            let oversized = Data(repeating: 7, count: (Self.uploadLimitMB << 20) + 1)
            let tooLarge = try await Self.upload(stack, key, "bin%2Fapp.bin", oversized)
            #expect(tooLarge.status == 413 && tooLarge.problemType == "urn:shipboard:problem:validation:uploads.size",
                    "\(tooLarge.status) \(String(decoding: tooLarge.data, as: UTF8.self))")
            // Cut off mid-body (the client goes away): nothing lands, and the name stays free.
            try Self.truncatedUpload(stack, key, "cut.bin", declaring: 500_000, sending: 100_000)
            #expect(try await Self.upload(stack, key, "cut.bin", Data("whole".utf8)).status == 201)
            #expect(FileManager.default.contents(atPath: "\(uploads)/\(key)/cut.bin") == Data("whole".utf8))
            try FileManager.default.removeItem(atPath: "\(uploads)/\(key)/cut.bin")
            // The same without a declared length (chunked): refused as the bytes pass the limit.
            let streamed = try await Self.chunkedUpload(stack, key, "bin/app.bin", oversized)
            #expect(streamed.status == 413 && streamed.problem.contains("uploads.size"), "\(streamed)")
            #expect(try Self.files(under: uploads) == ["\(key)/backout.sh", "\(key)/bin/app.bin", "\(key)/install.sh"])
            #expect(FileManager.default.contents(atPath: "\(uploads)/\(key)/bin/app.bin") == Data(payload))

            // The spec names the uploads by the `from` they answered.
            let spec: [String: Any] = ["name": "gateway-image", "version": "1.0.\(stack.suffix)", "targetClasses": ["server"], "files": [
                ["path": "install.sh", "from": "uploads/\(key)/install.sh", "executable": true],
                ["path": "backout.sh", "from": "uploads/\(key)/backout.sh", "executable": true],
                ["path": "bin/app.bin", "from": "uploads/\(key)/bin/app.bin"],
            ]]
            let saved = try await Self.untilAnswered(stack, "PUT", "/api/v1/releases/\(key)/image-spec", json: spec)
            #expect(saved.status == 200 && saved.json["revision"] as? Int == 1 && saved.json["fileCount"] as? Int == 3,
                    "\(String(decoding: saved.data, as: UTF8.self))")
            let cliSpec = try CLIEndToEndTests.shipboard([
                "image", "spec", key, "--name", "gateway-image", "--version", "1.0.\(stack.suffix)", "--target-class", "server",
                "--file", "install.sh=uploads/\(key)/install.sh:x", "--file", "backout.sh=uploads/\(key)/backout.sh:x",
                "--file", "bin/app.bin=uploads/\(key)/bin/app.bin",
            ], environment: engineer)
            #expect(cliSpec.status == 0 && cliSpec.out.contains("revision 2, 3 files"), "\(cliSpec.out) \(cliSpec.err)")
            // The same spec as the API's JSON in a file.
            try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: local + "/spec.json"))
            let jsonSpec = try CLIEndToEndTests.shipboard(["image", "spec", key, "--from-json", local + "/spec.json"], environment: engineer)
            #expect(jsonSpec.status == 0 && jsonSpec.out.contains("revision 3, 3 files"), "\(jsonSpec.out) \(jsonSpec.err)")
            let bad = try await stack.call("PUT", "/api/v1/releases/\(key)/image-spec", as: .buildEngineer, json: [
                "name": "gateway-image", "version": "1", "files": [["path": "../x", "from": "uploads/\(key)/install.sh"]],
            ])
            #expect(bad.status == 400, "\(String(decoding: bad.data, as: UTF8.self))")
            // 300 characters or a NUL in a field: refused, naming the field.
            for (field, value) in [("name", String(repeating: "n", count: 300)), ("version", "1\u{0}")] {
                var hostile = spec
                hostile[field] = value
                let refused = try await stack.call("PUT", "/api/v1/releases/\(key)/image-spec", as: .buildEngineer, json: hostile)
                let pointers = (refused.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String }
                #expect(refused.status == 400 && pointers == ["/\(field)"], "\(field): \(String(decoding: refused.data, as: UTF8.self))")
            }
            #expect(try await stack.call("PUT", "/api/v1/releases/\(key)/image-spec", as: .tester, json: spec).status == 403)

            let shown = try await stack.call("GET", "/api/v1/releases/\(key)/image", as: .viewer)
            let shownSpec = shown.json["spec"] as? [String: Any] ?? [:]
            #expect(shown.status == 200 && shownSpec["revision"] as? Int == 3 && shownSpec["savedBy"] as? String == stack.name(.buildEngineer))
            #expect((shownSpec["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["backout.sh", "bin/app.bin", "install.sh"])
            #expect((shown.json["builds"] as? [Any])?.isEmpty == true)

            // Built from the uploads, in the background: the build shows up on the image.
            let build = try CLIEndToEndTests.shipboard(["image", "build", key, "--output", "json"], environment: engineer)
            #expect(build.status == 0, "\(build.err)")
            let taskKey = try #require((try JSONSerialization.jsonObject(with: Data(build.out.utf8)) as? [String: Any])?["taskKey"] as? String)
            let builds = try await Self.builds(stack, key, until: { !$0.isEmpty })
            let built = try #require(builds.first)
            #expect(built["taskKey"] as? String == taskKey && built["outcome"] as? String == "built", "\(built)")
            #expect(built["fileCount"] as? Int == 3 && built["requestedBy"] as? String == stack.name(.buildEngineer))
            let sha256 = try #require(built["sha256"] as? String)
            #expect(FileManager.default.fileExists(atPath: "\(store)/\(sha256).tar.gz"))
            let show = try CLIEndToEndTests.shipboard(["image", "show", key], environment: engineer)
            #expect(show.status == 0 && show.out.contains("gateway-image@1.0.\(stack.suffix)") && show.out.contains("built"), "\(show.out)")
            #expect(show.out.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(show.out)")
        }
    }

    @Test("a 64 MiB upload streams to disk: the gateway's peak memory grows by far less than the file")
    func largeUploadStreams() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-large-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/uploads", withIntermediateDirectories: true)
        let size = 64 << 20
        // 1 MiB pieces, each marked with its number, so no two are the same.
        _ = FileManager.default.createFile(atPath: folder + "/large.bin", contents: nil)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/large.bin"))
        var hasher = SHA256()
        var chunk = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        for piece in 0..<(size >> 20) {
            chunk[0] = UInt8(piece)
            hasher.update(data: chunk)
            try writer.write(contentsOf: chunk)
        }
        try writer.close()
        try await GatewayStack.with(gatewayEnvironment: ["SHIPBOARD_UPLOAD_ROOT": folder + "/uploads", "SHIPBOARD_UPLOAD_LIMIT_MB": "128"]) { stack in
            let key = try await Self.createRelease(stack)
            let before = try Self.peakMemory(of: stack.gateway.processIdentifier)
            let engineer = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.buildEngineer]!]
            let upload = try CLIEndToEndTests.shipboard(["image", "upload", key, folder + "/large.bin", "--output", "json"], environment: engineer)
            #expect(upload.status == 0, "\(upload.err)")
            let answer = try JSONSerialization.jsonObject(with: Data(upload.out.utf8)) as? [String: Any] ?? [:]
            #expect(answer["size"] as? Int == size && answer["sha256"] as? String == LowercaseHex.encode(hasher.finalize()))
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder)/uploads/\(key)/large.bin")
            #expect(attributes[.size] as? Int == size)
            let growth = try Self.peakMemory(of: stack.gateway.processIdentifier) - before
            #expect(growth < 32 << 20, "the gateway's peak memory grew by \(growth >> 20) MiB for a \(size >> 20) MiB upload")

            // The gateway killed in the middle of an upload: nothing of it is left in the folder.
            let pid = stack.gateway.processIdentifier
            let connection = try Self.startedUpload(stack, key, "crash.bin", declaring: 8 << 20, sending: 1 << 20)
            defer { close(connection) }
            let writing = Date().addingTimeInterval(30)
            while !Self.isWriting(pid, under: folder + "/uploads"), Date() < writing { try await Task.sleep(for: .milliseconds(20)) }
            #expect(Self.isWriting(pid, under: folder + "/uploads"), "the gateway never opened the upload's file")
            kill(pid, SIGKILL)
            stack.gateway.waitUntilExit()
            #expect(try Self.files(under: folder + "/uploads") == ["\(key)/large.bin"])
        }
    }

    /// Whether `pid` holds a file open under `folder` (a transactional file shows as
    /// `<folder>/… (deleted)` or a hidden temporary name).
    static func isWriting(_ pid: Int32, under folder: String) -> Bool {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return descriptors.contains { fd in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "").hasPrefix(folder)
        }
    }

    /// The process's peak resident memory so far (`VmHWM`), in bytes.
    static func peakMemory(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// A new release, as the release manager.
    static func createRelease(_ stack: GatewayStack) async throws -> String {
        let created = try await stack.call(
            "POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Image \(stack.suffix)", "type": "minor", "businessJustification": "images"])
        #expect(created.status == 201, "\(String(decoding: created.data, as: UTF8.self))")
        return try #require(created.json["releaseKey"] as? String)
    }

    static func upload(
        _ stack: GatewayStack, _ key: String, _ escapedPath: String, _ body: Data, as role: Role = .buildEngineer
    ) async throws -> GatewayStack.Response {
        try await stack.call("PUT", "/api/v1/releases/\(key)/image/artifacts/\(escapedPath)", as: role, body: body,
                             headers: ["Content-Type": "application/octet-stream"])
    }

    /// An upload that declares `declaring` bytes, sends `sending` and closes the connection.
    static func truncatedUpload(_ stack: GatewayStack, _ key: String, _ path: String, declaring: Int, sending: Int) throws {
        close(try startedUpload(stack, key, path, declaring: declaring, sending: sending))
    }

    /// An upload that declares `declaring` bytes and has sent `sending` of them; the open
    /// connection's descriptor (the caller closes it).
    static func startedUpload(_ stack: GatewayStack, _ key: String, _ path: String, declaring: Int, sending: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(stack.base.port!).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestSettingsError(description: "cannot connect to the gateway")
        }
        let head = "PUT /api/v1/releases/\(key)/image/artifacts/\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(stack.tokens[.buildEngineer]!)\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: \(declaring)\r\n\r\n"
        let bytes = Array(head.utf8) + [UInt8](repeating: 1, count: sending)
        try #require(bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) } == bytes.count)
        return descriptor
    }

    /// An upload sent as a stream of unknown length (`Transfer-Encoding: chunked`).
    static func chunkedUpload(_ stack: GatewayStack, _ key: String, _ path: String, _ body: Data) async throws -> (status: Int, problem: String) {
        var request = URLRequest(url: URL(string: "\(stack.base.absoluteString)/api/v1/releases/\(key)/image/artifacts/\(path.replacingOccurrences(of: "/", with: "%2F"))")!)
        request.httpMethod = "PUT"
        request.httpBodyStream = InputStream(data: body)
        request.setValue("Bearer \(stack.tokens[.buildEngineer]!)", forHTTPHeaderField: "Authorization")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await GatewayStack.http.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Every regular file under `root` (relative paths, sorted): temporary files included.
    static func files(under root: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder), !isFolder.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    /// A command sent until a service answers (it may still be starting): the same
    /// Idempotency-Key every time, so it is applied once.
    static func untilAnswered(_ stack: GatewayStack, _ method: String, _ path: String, json: Any? = nil) async throws -> GatewayStack.Response {
        let key = UUID().uuidString
        let deadline = Date().addingTimeInterval(60)
        while true {
            let response = try await stack.call(method, path, as: .buildEngineer, json: json, headers: ["Idempotency-Key": key])
            if response.status != 504 || Date() > deadline { return response }
        }
    }

    /// The release's builds once `until` holds for them (or after 60 s).
    static func builds(_ stack: GatewayStack, _ key: String, until: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(60)
        while true {
            let builds = try await stack.call("GET", "/api/v1/releases/\(key)/image", as: .viewer).json["builds"] as? [[String: Any]] ?? []
            if until(builds) || Date() > deadline { return builds }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
