import BuildCore
import Foundation
import Images
import Subprocess
import Testing

/// ImageExtractor (issue 12, item 2): an image unpacks with its modes, and a hostile archive
/// is refused without a byte written outside the destination.
@Suite("ImageExtractor: unpacking images safely")
struct ImageExtractorTests {
    @Test("a built image unpacks into its files, with its contents and executable modes")
    func unpacksABuiltImage() async throws {
        try await TestRunImages.withFolder { folder in
            let built = try TestRunImages.build(TestRunImages.passing, releaseKey: "REL-000001", in: folder, store: folder + "/store")
            let written = try ImageExtractor.extract(archiveAt: built.path, into: folder + "/out")
            #expect(written.map(\.value) == TestRunImages.passing.keys.sorted() + ["manifest.json"])
            for (name, content) in TestRunImages.passing {
                #expect(try String(contentsOfFile: folder + "/out/" + name, encoding: .utf8) == content)
                let mode = try FileManager.default.attributesOfItem(atPath: folder + "/out/" + name)[.posixPermissions] as? Int
                #expect(mode == (name.hasSuffix(".sh") ? 0o755 : 0o644), "\(name)")
            }
        }
    }

    @Test("a file larger than the decompression window and the read chunk unpacks byte for byte")
    func unpacksLargeFiles() async throws {
        try await TestRunImages.withFolder { folder in
            var random = UInt64(42)
            let payload = (0..<(3 << 20) / 8).flatMap { _ -> [UInt8] in
                random = random &* 6364136223846793005 &+ 1442695040888963407
                return withUnsafeBytes(of: random) { Array($0) }
            }
            let importRoot = folder + "/import"
            try FileManager.default.createDirectory(atPath: importRoot, withIntermediateDirectories: true)
            try Data(payload).write(to: URL(fileURLWithPath: importRoot + "/big.bin"))
            let names = ["backout.sh", "big.bin", "install.sh", "z.txt"]
            for name in names where name != "big.bin" {
                try Data("tail".utf8).write(to: URL(fileURLWithPath: importRoot + "/" + name))
            }
            let spec = ImageSpec(name: "big", version: "1", releaseKey: "REL-000001", targetClasses: [], sources: try names.map {
                .init(path: try ImagePath($0), from: try ImagePath($0), executable: false)
            })
            let built = try ImageBuilder(importRoot: try ImportRoot(importRoot), store: folder + "/store", sizeLimit: 1 << 30).build(spec)
            try ImageExtractor.extract(archiveAt: built.path, into: folder + "/out")
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/out/big.bin")) == Data(payload))
            #expect(try String(contentsOfFile: folder + "/out/z.txt", encoding: .utf8) == "tail")
        }
    }

    /// Python's tarfile writes what no builder of ours would: each case one hostile entry
    /// after a harmless one.
    static let hostileCases: [(name: String, python: String, expected: String)] = [
        ("parent", "add_file('../escaped', b'x')", "../escaped"),
        ("absolute", "add_file('/tmp/shipboard-absolute-escape', b'x')", "/tmp/shipboard-absolute-escape"),
        ("nested parent", "add_file('a/../../escaped', b'x')", "a/../../escaped"),
        ("symlink", "add_special('link', tarfile.SYMTYPE, linkname='/etc')", "link"),
        ("hard link", "add_special('hard', tarfile.LNKTYPE, linkname='ok.txt')", "hard"),
        ("device", "add_special('dev', tarfile.CHRTYPE)", "dev"),
        ("folder", "add_special('folder', tarfile.DIRTYPE)", "folder"),
        ("fifo", "add_special('fifo', tarfile.FIFOTYPE)", "fifo"),
        ("control character", "add_file('bad\\x01name', b'x')", "bad?name"),
        ("300 characters", "add_file('n' * 300, b'x')", "././@PaxHeader"),
        ("twice", "add_file('ok.txt', b'again')", "ok.txt"),
    ]

    @Test("a hostile entry is refused by name, and nothing lands outside the destination", arguments: hostileCases.indices)
    func refusesHostileEntries(_ index: Int) async throws {
        let hostile = Self.hostileCases[index]
        try await TestRunImages.withFolder { folder in
            let archive = folder + "/hostile.tar.gz"
            try await Self.writeArchive(archive, hostile.python)
            let destination = folder + "/deep/out"
            do {
                try ImageExtractor.extract(archiveAt: archive, into: destination)
                Issue.record("\(hostile.name): unpacked")
            } catch {
                guard case ImageExtractionError.refusedEntry(let name, let reason) = error else {
                    Issue.record("\(hostile.name): \(error)")
                    return
                }
                #expect(name.hasPrefix(hostile.expected), "\(hostile.name): \(name)")
                #expect(!reason.isEmpty && "\(error)".contains("refused"))
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/deep/escaped"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/escaped"))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/shipboard-absolute-escape"))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: destination + "/link")) == nil)
            #expect(try String(contentsOfFile: destination + "/ok.txt", encoding: .utf8) == "fine")
        }
    }

    @Test("a cut-short archive and a non-empty destination are refused, saying which")
    func refusesDamageAndNonEmptyDestination() async throws {
        try await TestRunImages.withFolder { folder in
            let built = try TestRunImages.build(TestRunImages.passing, releaseKey: "REL-000001", in: folder, store: folder + "/store")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: built.path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: folder + "/cut.tar.gz"))
            #expect(throws: ImageExtractionError.damaged("it ends early (cut short or damaged)")) {
                try ImageExtractor.extract(archiveAt: folder + "/cut.tar.gz", into: folder + "/cut")
            }
            try FileManager.default.createDirectory(atPath: folder + "/busy", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/busy/already"))
            #expect(throws: ImageExtractionError.io("the destination folder is not empty")) {
                try ImageExtractor.extract(archiveAt: built.path, into: folder + "/busy")
            }
        }
    }

    /// A gzipped tar holding `ok.txt` ("fine") and then what `statement` adds.
    static func writeArchive(_ path: String, _ statement: String) async throws {
        let program = """
            import io, sys, tarfile
            out = tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT)
            def add_file(name, data):
                info = tarfile.TarInfo(name); info.size = len(data); out.addfile(info, io.BytesIO(data))
            def add_special(name, kind, linkname=''):
                info = tarfile.TarInfo(name); info.type = kind; info.linkname = linkname; out.addfile(info)
            add_file('ok.txt', b'fine')
            \(statement)
            out.close()
            """
        let result = try await Subprocess.run(
            .name("python3"), arguments: ["-c", program, path], output: .string(limit: 1 << 16), error: .combinedWithOutput)
        guard result.terminationStatus.isSuccess else { throw ArchiveWriteFailure(output: result.standardOutput) }
    }

    struct ArchiveWriteFailure: Error {
        let output: String
    }
}
