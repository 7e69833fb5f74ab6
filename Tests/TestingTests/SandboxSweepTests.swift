import Foundation
import Testing
import TestingCore

/// What a start-up sweep of the work root removes: only run sandboxes untouched for long.
@Suite("Sandbox sweep")
struct SandboxSweepTests {
    @Test("an old run sandbox goes (even with a folder its script made read-only); a recent or touched one and other folders stay")
    func sweepsOnlyAbandonedSandboxes() async throws {
        try await TestRunImages.withFolder { workRoot in
            let old = Date().addingTimeInterval(-7200)
            let abandoned = Sandbox(workRoot: workRoot, run: UUID()), live = Sandbox(workRoot: workRoot, run: UUID())
            let touched = Sandbox(workRoot: workRoot, run: UUID())
            for sandbox in [abandoned, live, touched] { try sandbox.make() }
            try FileManager.default.createDirectory(atPath: abandoned.target + "/locked/inner", withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: abandoned.target + "/locked")
            try FileManager.default.createDirectory(atPath: workRoot + "/not-a-run", withIntermediateDirectories: true)
            for path in [abandoned.root, touched.root, workRoot + "/not-a-run"] {
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
            }
            touched.touch()
            #expect(Sandbox.sweep(workRoot: workRoot, olderThan: .seconds(3600)) == 1)
            #expect(!FileManager.default.fileExists(atPath: abandoned.root))
            for kept in [live.root, touched.root, workRoot + "/not-a-run"] {
                #expect(FileManager.default.fileExists(atPath: kept), "\(kept)")
            }
        }
    }
}
