import BuildCore
import Foundation
import Images
import Testing

/// Reading an image back (issue 12, items 2 and 6): every file re-hashed against the
/// manifest; tampered, hostile or damaged archives are reported, never trusted.
@Suite("Software images: integrity check of an archive")
struct ImageIntegrityTests {
    /// A built image of the standard files, in `folder`.
    static func built(in folder: String) throws -> ImageBuilder.Built {
        let root = folder + "/import"
        try ImageBuilderTests.write(ImageBuilderTests.files, under: root)
        return try ImageBuilder(importRoot: try ImportRoot(root), store: folder + "/store", sizeLimit: 1 << 20)
            .build(try ImageBuilderTests.spec(ImageBuilderTests.files.map(\.0)))
    }

    /// A raw ustar header for any name and type (the builder cannot make hostile ones).
    static func rawHeader(name: String, size: Int, type: UInt8 = UInt8(ascii: "0"), link: String = "") -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int) { for (i, b) in text.utf8.enumerated() { block[offset + i] = b } }
        func octal(_ value: Int, _ offset: Int, _ digits: Int) {
            let text = String(value, radix: 8)
            put(String(repeating: "0", count: digits - text.count) + text, offset)
        }
        put(name, 0)
        octal(0o644, 100, 7); octal(0, 108, 7); octal(0, 116, 7); octal(size, 124, 11); octal(0, 136, 11)
        block[156] = type
        put(link, 157)
        put("ustar", 257); put("00", 263)
        for i in 148..<156 { block[i] = 32 }
        octal(block.reduce(0) { $0 + Int($1) }, 148, 6)
        block[155] = 32
        return block
    }

    /// Writes `blocks` gzip-compressed to `path`.
    static func archive(_ blocks: [[UInt8]], to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? output.close() }
        let writer = try ImageArchiveWriter(output: output)
        for block in blocks { try writer.write(block) }
        _ = try writer.finish()
    }

    static func padded(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
        return bytes
    }

    @Test("a built image is intact and its manifest is read back")
    func builtImageIsIntact() throws {
        try ImageBuilderTests.withFolder { folder in
            let image = try Self.built(in: folder)
            let report = ImageIntegrity.verify(archiveAt: image.path)
            #expect(report.problems == [])
            #expect(report.isIntact)
            #expect(report.manifest == image.manifest)
        }
    }

    @Test("a file changed inside the archive (re-compressed, headers intact) fails against the manifest")
    func tamperedContentFails() throws {
        try ImageBuilderTests.withFolder { folder in
            let image = try Self.built(in: folder)
            let tar = try ImageBuilderTests.run(["sh", "-c", "gzip -dc '\(image.path)' | od -An -v -tx1 | tr -d ' \\n'"])
            var bytes = stride(from: 0, to: tar.count, by: 2).map { offset -> UInt8 in
                let start = tar.index(tar.startIndex, offsetBy: offset)
                return UInt8(tar[start..<tar.index(start, offsetBy: 2)], radix: 16)!
            }
            let needle = Array("threads = 4".utf8)
            let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
            bytes[at + needle.count - 1] = UInt8(ascii: "9")
            let tampered = folder + "/tampered.tar.gz"
            try Self.archive([bytes], to: tampered)
            let report = ImageIntegrity.verify(archiveAt: tampered)
            #expect(!report.isIntact)
            #expect(report.problems.count == 1)
            #expect(report.problems.first?.contains("'payroll/etc/payroll.conf' does not match the manifest") == true, "\(report.problems)")
        }
    }

    @Test("hostile entries are reported: .., an absolute name, a link, an unlisted file, a listed one missing")
    func hostileEntries() throws {
        try ImageBuilderTests.withFolder { folder in
            let manifest = try ImageManifest(
                format: 1, name: "x", version: "1", releaseKey: "REL-1", targetClasses: [],
                files: [.init(path: "install.sh", sha256: String(repeating: "0", count: 64), size: 3, executable: true)]
            ).encoded()
            let path = folder + "/hostile.tar.gz"
            try Self.archive([
                Self.rawHeader(name: "../../etc/cron.d/evil", size: 5), Self.padded("evil\n"),
                Self.rawHeader(name: "/etc/passwd", size: 5), Self.padded("root\n"),
                Self.rawHeader(name: "link", size: 0, type: UInt8(ascii: "2"), link: "/etc/shadow"),
                Self.rawHeader(name: "extra.txt", size: 2), Self.padded("hi"),
                Self.rawHeader(name: "manifest.json", size: manifest.count), Self.padded(String(decoding: manifest, as: UTF8.self)),
                [UInt8](repeating: 0, count: 1024),
            ], to: path)
            let problems = ImageIntegrity.verify(archiveAt: path).problems
            #expect(problems.contains { $0.contains("../../etc/cron.d/evil") && $0.contains("..") }, "\(problems)")
            #expect(problems.contains { $0.contains("/etc/passwd") && $0.contains("absolute") }, "\(problems)")
            #expect(problems.contains { $0.contains("'link' is not a regular file") }, "\(problems)")
            #expect(problems.contains { $0 == "'extra.txt' is in the archive but not in the manifest" }, "\(problems)")
            #expect(problems.contains { $0 == "'install.sh' is in the manifest but not in the archive" }, "\(problems)")
        }
    }

    @Test("a cut-short archive, one without a manifest, bytes after the end, and a file that is not gzip are each reported")
    func damagedArchives() throws {
        try ImageBuilderTests.withFolder { folder in
            let image = try Self.built(in: folder)
            let whole = try Data(contentsOf: URL(fileURLWithPath: image.path))
            let cut = folder + "/cut.tar.gz"
            try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
            #expect(!ImageIntegrity.verify(archiveAt: cut).isIntact)
            #expect(ImageIntegrity.verify(archiveAt: cut).problems.contains { $0.contains("ends early") })

            let trailing = folder + "/trailing.tar.gz"
            try (whole + Data("appended".utf8)).write(to: URL(fileURLWithPath: trailing))
            #expect(ImageIntegrity.verify(archiveAt: trailing).problems == ["the archive has bytes after its end"])

            let bare = folder + "/bare.tar.gz"
            try Self.archive([Self.rawHeader(name: "install.sh", size: 2), Self.padded("hi"), [UInt8](repeating: 0, count: 1024)], to: bare)
            #expect(ImageIntegrity.verify(archiveAt: bare).problems == ["the archive has no manifest.json"])

            let text = folder + "/text.tar.gz"
            try Data("not gzip at all".utf8).write(to: URL(fileURLWithPath: text))
            #expect(ImageIntegrity.verify(archiveAt: text).problems.first?.contains("not a readable gzip stream") == true)
            #expect(ImageIntegrity.verify(archiveAt: folder + "/absent.tar.gz").problems == ["the archive cannot be opened"])
        }
    }
}
