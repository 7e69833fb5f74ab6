import BuildCore
import Images
import Contracts
import Crypto
import Foundation
import Testing

/// Deterministic software images (issue 12, item 1): the archive is a function of the files
/// and their names only, readable by the system's `tar`, and nothing can name a place
/// outside the image or the import root.
@Suite("Software images: deterministic tar.gz with a manifest")
struct ImageBuilderTests {
    /// A fresh folder under the system's temporary folder, removed afterwards.
    static func withFolder<Result>(_ body: (String) throws -> Result) throws -> Result {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    static func withFolderAsync<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(folder)
    }

    static func write(_ files: [(String, String)], under root: String, permissions: Int = 0o644, date: Date? = nil) throws {
        for (name, content) in files {
            let path = (root as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            var attributes: [FileAttributeKey: Any] = [.posixPermissions: permissions]
            if let date { attributes[.modificationDate] = date }
            try FileManager.default.setAttributes(attributes, ofItemAtPath: path)
        }
    }

    static let files = [
        ("install.sh", "#!/bin/sh\ncp -r payroll \"$SHIPBOARD_TARGET_ROOT/opt/\"\n"),
        ("backout.sh", "#!/bin/sh\nrm -rf \"$SHIPBOARD_TARGET_ROOT/opt/payroll\"\n"),
        ("payroll/bin/payroll", "binary \u{1}\u{2}\u{3} contents"),
        ("payroll/etc/payroll.conf", "threads = 4\n"),
        ("docs/communication-plan.md", "---\naudiences: [payroll-users]\n---\nWe deploy on Friday.\n"),
    ]

    static func spec(_ names: [String], executable: Set<String> = ["install.sh", "backout.sh", "payroll/bin/payroll"]) throws -> ImageSpec {
        ImageSpec(
            name: "payroll", version: "4.2.0", releaseKey: "REL-000002", targetClasses: ["server", "application"],
            sources: try names.map { .init(path: try ImagePath($0), from: try ImagePath($0), executable: executable.contains($0)) })
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw TestFailure("\(arguments.joined(separator: " ")): \(text)") }
        return text
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("the same files under two import roots, written in another order, at other times and modes, give the same SHA-256")
    func sameInputsSameDigest() throws {
        try Self.withFolder { folder in
            let first = folder + "/a/import", second = folder + "/b/elsewhere/import"
            try Self.write(Self.files, under: first, permissions: 0o644, date: Date(timeIntervalSince1970: 1_000_000))
            try Self.write(Self.files.reversed(), under: second, permissions: 0o600, date: Date())
            let names = Self.files.map(\.0)
            let one = try ImageBuilder(importRoot: try ImportRoot(first), store: folder + "/store-a", sizeLimit: 1 << 20)
                .build(try Self.spec(names))
            let two = try ImageBuilder(importRoot: try ImportRoot(second), store: folder + "/store-b", sizeLimit: 1 << 20)
                .build(try Self.spec(names.reversed()))
            #expect(one.sha256 == two.sha256)
            #expect(one.manifest == two.manifest)
            // The digest is the archive's: recomputed from the stored bytes, and its name in the store.
            let stored = try Data(contentsOf: URL(fileURLWithPath: one.path))
            #expect(LowercaseHex.encode(SHA256.hash(data: stored)) == one.sha256)
            #expect(Int64(stored.count) == one.size)
            #expect(one.path.hasSuffix("/store-a/\(one.sha256).tar.gz"))
            // Nothing half-written stays behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/store-a") == ["\(one.sha256).tar.gz"])
            // A different byte in one file is a different image.
            try Self.write([("payroll/etc/payroll.conf", "threads = 8\n")], under: second)
            let three = try ImageBuilder(importRoot: try ImportRoot(second), store: folder + "/store-b", sizeLimit: 1 << 20)
                .build(try Self.spec(names))
            #expect(three.sha256 != one.sha256)
        }
    }

    @Test("the system's tar reads it: sorted entries, time 0, owner root, modes, the manifest last with every file's SHA-256")
    func systemTarReadsIt() throws {
        try Self.withFolder { folder in
            let root = folder + "/import"
            let long = "payroll/" + String(repeating: "deep-folder-name/", count: 5) + String(repeating: "x", count: 60) + ".txt"
            try Self.write(Self.files + [(long, "far down\n")], under: root)
            let built = try ImageBuilder(importRoot: try ImportRoot(root), store: folder + "/store", sizeLimit: 1 << 20)
                .build(try Self.spec(Self.files.map(\.0) + [long]))
            let listing = try Self.run(["tar", "--numeric-owner", "-tvzf", built.path]).split(separator: "\n").map(String.init)
            let names = listing.map { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) ?? "" }
            let expected = (Self.files.map(\.0) + [long]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } + ["manifest.json"]
            #expect(names == expected)
            for line in listing {
                #expect(line.contains(" 0/0 "), "owner: \(line)")
                #expect(line.contains("1970-01-01 00:00"), "time: \(line)")
            }
            #expect(listing.first { $0.hasSuffix(" install.sh") }?.hasPrefix("-rwxr-xr-x") == true)
            #expect(listing.first { $0.hasSuffix(" payroll/etc/payroll.conf") }?.hasPrefix("-rw-r--r--") == true)

            let out = folder + "/out"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            _ = try Self.run(["tar", "-xzf", built.path, "-C", out])
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")))
            #expect(manifest == built.manifest)
            #expect(manifest.files.count == Self.files.count + 1)
            for file in manifest.files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/" + file.path))
                #expect(LowercaseHex.encode(SHA256.hash(data: bytes)) == file.sha256, "\(file.path)")
                #expect(Int64(bytes.count) == file.size)
            }
            #expect(try String(contentsOfFile: out + "/" + long, encoding: .utf8) == "far down\n")
        }
    }

    @Test("names that could leave the image are refused, each with its reason", arguments: [
        ("../etc/passwd", ".."), ("/etc/passwd", "absolute"), ("payroll/../../x", ".."), ("a//b", "empty"), ("a/", "empty"),
        ("", "empty"), ("a\u{0}b", "control"), ("a\\..\\b", "backslash"), ("./install.sh", "."),
        (String(repeating: "n", count: 101), "component longer"), (String(repeating: "abc/", count: 70), "longer than"),
    ])
    func hostileNamesAreRefused(name: String, reason: String) {
        do {
            _ = try ImagePath(name)
            Issue.record("accepted \(name.debugDescription)")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
            #expect(!error.description.unicodeScalars.contains { $0.value == 0 }, "the refusal repeats a NUL")
        }
    }

    @Test("a symbolic link leading out of the import root is refused; one that stays inside is followed")
    func symbolicLinks() throws {
        try Self.withFolder { folder in
            let root = folder + "/import"
            try Self.write(Self.files, under: root)
            try Self.write([("secret.txt", "outside")], under: folder)
            try FileManager.default.createSymbolicLink(atPath: root + "/leak", withDestinationPath: folder + "/secret.txt")
            try FileManager.default.createSymbolicLink(atPath: root + "/up", withDestinationPath: "..")
            try FileManager.default.createSymbolicLink(atPath: root + "/conf-link", withDestinationPath: "payroll/etc/payroll.conf")
            let builder = try ImageBuilder(importRoot: try ImportRoot(root), store: folder + "/store", sizeLimit: 1 << 20)
            for from in ["leak", "up/secret.txt"] {
                var spec = try Self.spec(Self.files.map(\.0))
                spec.sources.append(.init(path: try ImagePath("extra.txt"), from: try ImagePath(from), executable: false))
                #expect(throws: ImageSpecError.outsideImportRoot(from)) { try builder.build(spec) }
            }
            var spec = try Self.spec(Self.files.map(\.0))
            spec.sources.append(.init(path: try ImagePath("conf-copy"), from: try ImagePath("conf-link"), executable: false))
            let built = try builder.build(spec)
            #expect(built.manifest.files.first { $0.path == "conf-copy" }?.size == Int64("threads = 4\n".utf8.count))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/store") == ["\(built.sha256).tar.gz"])
        }
    }

    @Test("a spec without install or backout script, a missing file, a folder or an image over its limit is refused; the store stays empty")
    func refusalsLeaveNothing() throws {
        try Self.withFolder { folder in
            let root = folder + "/import"
            try Self.write(Self.files, under: root)
            let store = folder + "/store"
            let builder = try ImageBuilder(importRoot: try ImportRoot(root), store: store, sizeLimit: 1 << 20)
            let all = Self.files.map(\.0)
            #expect(throws: ImageSpecError.missingInstallScript) { try builder.build(try Self.spec(all.filter { $0 != "install.sh" })) }
            #expect(throws: ImageSpecError.missingBackoutScript) { try builder.build(try Self.spec(all.filter { $0 != "backout.sh" })) }
            #expect(throws: ImageSpecError.missingFile("missing.bin")) { try builder.build(try Self.spec(all + ["missing.bin"])) }
            #expect(throws: ImageSpecError.notARegularFile("payroll")) { try builder.build(try Self.spec(all + ["payroll"])) }
            #expect(throws: ImageSpecError.duplicatePath("install.sh")) { try builder.build(try Self.spec(all + ["install.sh"])) }
            #expect(throws: ImageSpecError.invalidPath("manifest.json", "is reserved for the manifest the build writes")) {
                try builder.build(try Self.spec(all + ["manifest.json"]))
            }
            let small = try ImageBuilder(importRoot: try ImportRoot(root), store: store, sizeLimit: 40)
            #expect(throws: ImageSpecError.self) { try small.build(try Self.spec(all)) }
            #expect(ImageSpecError.missingInstallScript.description == "the image has no install script: add install.sh at its root")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []
            #expect(left.isEmpty, "\(left)")
        }
    }
}
