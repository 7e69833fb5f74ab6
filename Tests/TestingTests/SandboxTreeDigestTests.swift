import Foundation
import Testing
import TestingCore

/// The target root's tree digest: what `backout-restores` compares.
@Suite("Sandbox tree digest")
struct SandboxTreeDigestTests {
    static func tree(_ body: (String) throws -> Void) async throws -> String {
        try await TestRunImages.withFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/root/etc", withIntermediateDirectories: true)
            try Data("threads = 4\n".utf8).write(to: URL(fileURLWithPath: folder + "/root/etc/app.conf"))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/root/etc/app.conf")
            try body(folder + "/root")
            return try TreeDigest.of(root: folder + "/root")
        }
    }

    @Test("the same names, kinds, modes and contents give the same digest wherever the tree is and whenever it was touched")
    func sameTreeSameDigest() async throws {
        let first = try await Self.tree { _ in }
        let second = try await Self.tree { root in
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: root + "/etc/app.conf")
        }
        #expect(first == second && first.count == 64)
    }

    @Test("a changed byte, mode, name, an added empty folder or file, or a link changes the digest")
    func everyDifferenceCounts() async throws {
        let base = try await Self.tree { _ in }
        let changes: [(String, (String) throws -> Void)] = [
            ("content", { try Data("threads = 5\n".utf8).write(to: URL(fileURLWithPath: $0 + "/etc/app.conf")) }),
            ("mode", { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: $0 + "/etc/app.conf") }),
            ("name", { try FileManager.default.moveItem(atPath: $0 + "/etc/app.conf", toPath: $0 + "/etc/app.conf.old") }),
            ("empty folder", { try FileManager.default.createDirectory(atPath: $0 + "/opt", withIntermediateDirectories: false) }),
            ("empty file", { _ = FileManager.default.createFile(atPath: $0 + "/.hidden", contents: nil) }),
            ("link", { try FileManager.default.createSymbolicLink(atPath: $0 + "/etc/link", withDestinationPath: "/etc/passwd") }),
        ]
        var seen: Set<String> = [base]
        for (name, change) in changes {
            let digest = try await Self.tree(change)
            #expect(seen.insert(digest).inserted, "\(name) did not change the digest")
        }
    }

    @Test("a link pointing out of the tree is recorded, not followed")
    func linksAreNotFollowed() async throws {
        let toEtc = try await Self.tree { try FileManager.default.createSymbolicLink(atPath: $0 + "/l", withDestinationPath: "/etc") }
        let toEtcWithSlash = try await Self.tree { try FileManager.default.createSymbolicLink(atPath: $0 + "/l", withDestinationPath: "/etc/") }
        #expect(toEtc != toEtcWithSlash)
    }
}
