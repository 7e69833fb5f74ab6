import Contracts
import Crypto
import Foundation
import Images
import Testing

/// The content-addressed store behind the build output and the DML (issue 12, items 3, 4, 6).
@Suite("Software images: the content-addressed store")
struct ImageStoreTests {
    static func file(_ content: String, in folder: String, name: String) throws -> String {
        let path = folder + "/" + name
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func digest(_ content: String) -> ImageDigest {
        ImageDigest(LowercaseHex.encode(SHA256.hash(data: Data(content.utf8))))!
    }

    @Test("an archive is stored under its SHA-256, read-only; adding the same bytes again changes nothing")
    func addIsContentAddressed() throws {
        try ImageBuilderTests.withFolder { folder in
            let store = try DirectoryImageStore(root: folder + "/dml")
            let source = try Self.file("image bytes", in: folder, name: "a.tar.gz")
            let digest = try store.add(fileAt: source, expected: Self.digest("image bytes"))
            #expect(digest == Self.digest("image bytes"))
            #expect(store.contains(digest))
            #expect(try store.digests() == [digest])
            let stored = try store.path(of: digest)
            #expect(try String(contentsOfFile: stored, encoding: .utf8) == "image bytes")
            let mode = try FileManager.default.attributesOfItem(atPath: stored)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o444)
            #expect(try store.add(fileAt: source, expected: nil) == digest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/dml") == ["\(digest.hex).tar.gz"])
        }
    }

    @Test("bytes that changed since they were hashed are refused, and nothing is left behind")
    func mismatchIsRefused() throws {
        try ImageBuilderTests.withFolder { folder in
            let store = try DirectoryImageStore(root: folder + "/dml")
            let source = try Self.file("tampered bytes", in: folder, name: "a.tar.gz")
            let claimed = Self.digest("the tested bytes")
            #expect(throws: ImageStoreError.digestMismatch(expected: claimed.hex, actual: Self.digest("tampered bytes").hex)) {
                try store.add(fileAt: source, expected: claimed)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/dml").isEmpty)
            // Offering other bytes for a digest already stored is refused too.
            let good = try Self.file("the tested bytes", in: folder, name: "b.tar.gz")
            _ = try store.add(fileAt: good, expected: claimed)
            #expect(throws: ImageStoreError.self) { try store.add(fileAt: source, expected: claimed) }
            #expect(try String(contentsOfFile: try store.path(of: claimed), encoding: .utf8) == "the tested bytes")
        }
    }

    @Test("verify-all re-hashes every archive and names the ones whose bytes changed; only digests name archives")
    func verifyAllFindsChanges() throws {
        try ImageBuilderTests.withFolder { folder in
            let store = try DirectoryImageStore(root: folder + "/dml")
            let first = try store.add(fileAt: try Self.file("one", in: folder, name: "1"), expected: nil)
            let second = try store.add(fileAt: try Self.file("two", in: folder, name: "2"), expected: nil)
            #expect(try store.verifyAll().isEmpty)
            let path = try store.path(of: second)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            try Data("tw0".utf8).write(to: URL(fileURLWithPath: path))
            let broken = try store.verifyAll()
            #expect(broken.map(\.0) == [second])
            #expect(broken.first?.1.contains(Self.digest("tw0").hex) == true)
            #expect(store.contains(first))
            for hostile in ["../etc/passwd", String(repeating: "A", count: 64), "", String(first.hex.dropLast()) + "/"] {
                #expect(ImageDigest(hostile) == nil, "\(hostile)")
            }
            #expect(throws: ImageStoreError.notFound(Self.digest("absent").hex)) { try store.path(of: Self.digest("absent")) }
        }
    }

    @Test("sweeping removes old temporary files only, never an archive")
    func sweepPartials() throws {
        try ImageBuilderTests.withFolder { folder in
            let store = try DirectoryImageStore(root: folder + "/dml")
            let kept = try store.add(fileAt: try Self.file("kept", in: folder, name: "k"), expected: nil)
            let old = try store.newPartial(), fresh = try store.newPartial()
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: try store.path(of: kept))
            #expect(store.sweepPartials(olderThan: .seconds(3600)) == 1)
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(FileManager.default.fileExists(atPath: fresh), "a write in progress was swept")
            #expect(store.contains(kept))
        }
    }
}
