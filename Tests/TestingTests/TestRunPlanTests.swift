import Contracts
import Images
import Testing
import TestingCore

/// The rules of a run (TestPlan, ManifestSchema), without a database or a process.
@Suite("Test runs: the plan's rules")
struct TestRunPlanTests {
    static func manifest(_ files: [(String, Bool)], releaseKey: String = "REL-000042") -> ImageManifest {
        ImageManifest(
            format: ImageManifest.formatVersion, name: "payroll", version: "4.2.0", releaseKey: releaseKey, targetClasses: [],
            files: files.map { .init(path: $0.0, sha256: String(repeating: "0", count: 64), size: 1, executable: $0.1) })
    }

    static let standard = manifest([
        ("backout.sh", true), ("install.sh", true), ("tests/20-b.sh", true), ("tests/10-a.sh", true), ("tests/data.txt", false),
        ("verify.sh", true),
    ])

    @Test("the plan: integrity, manifest, install, verify, the executable tests in path order, backout, backout-restores")
    func planOrder() {
        #expect(TestPlan(manifest: Self.standard).steps.map(\.name) == [
            "integrity", "manifest", "install", "verify", "tests/10-a.sh", "tests/20-b.sh", "backout", "backout-restores",
        ])
        #expect(TestPlan(manifest: nil).steps.map(\.name) == ["integrity", "manifest", "install", "backout", "backout-restores"])
    }

    @Test("nothing from an image runs before it passes integrity and its manifest; a failed install still backs out")
    func skipRules() {
        #expect(TestPlan.skipReason(.install, after: [.integrity: .failed, .manifest: .passed])?.contains("integrity") == true)
        #expect(TestPlan.skipReason(.install, after: [.integrity: .passed, .manifest: .failed])?.contains("manifest") == true)
        #expect(TestPlan.skipReason(.install, after: [.integrity: .passed, .manifest: .passed]) == nil)
        let failedInstall: [TestStep: StepOutcome] = [.integrity: .passed, .manifest: .passed, .install: .failed]
        #expect(TestPlan.skipReason(.verify, after: failedInstall) != nil)
        #expect(TestPlan.skipReason(.script(try! ImagePath("tests/10-a.sh")), after: failedInstall) != nil)
        #expect(TestPlan.skipReason(.backout, after: failedInstall) == nil)
        #expect(TestPlan.skipReason(.backout, after: [.install: .skipped]) != nil)
        #expect(TestPlan.skipReason(.backoutRestores, after: [.backout: .failed]) == nil)
        #expect(TestPlan.skipReason(.backoutRestores, after: [.backout: .skipped]) != nil)
    }

    @Test("the verdict passes only when every step passed, and names the failures")
    func verdict() {
        let passed = TestPlan.verdict([TestResult(.integrity, .passed, detail: ""), TestResult(.manifest, .passed, detail: "")])
        #expect(passed.outcome == .passed && passed.detail == "2 passed, 0 failed" && passed.failedTests.isEmpty)
        let failed = TestPlan.verdict([
            TestResult(.integrity, .passed, detail: ""), TestResult(.install, .failed, detail: ""),
            TestResult(.verify, .skipped, detail: ""), TestResult(.backout, .failed, detail: ""),
        ])
        #expect(failed.outcome == .failed && failed.passed == 1 && failed.failed == 2)
        #expect(failed.detail == "1 passed, 2 failed: install, backout; 1 not run")
        #expect(failed.failedTests == ["install", "backout"])
        #expect(TestPlan.verdict([]).outcome == .failed)
    }

    @Test("a manifest for another release, without its scripts, or with a hostile path is refused, each problem named")
    func manifestSchema() {
        #expect(ManifestSchema.problems(Self.standard, releaseKey: "REL-000042").isEmpty)
        #expect(ManifestSchema.problems(nil, releaseKey: "REL-000042") == ["the image has no readable manifest.json"])
        #expect(ManifestSchema.problems(Self.standard, releaseKey: "REL-000043").first?.contains("REL-000042") == true)
        let bare = Self.manifest([("install.sh", false), ("../etc/passwd", false), ("x", false), ("x", false)])
        let problems = ManifestSchema.problems(bare, releaseKey: "REL-000042")
        #expect(problems.contains("the image has no backout.sh at its root: add it to the image spec"))
        #expect(problems.contains("install.sh is not executable: mark it executable in the image spec"))
        #expect(problems.contains { $0.contains("../etc/passwd") })
        #expect(problems.contains("'x' is listed twice"))
        var future = Self.standard
        future.format = 99
        #expect(ManifestSchema.problems(future, releaseKey: "REL-000042").first?.contains("format 99") == true)
    }

    @Test("a long detail is cut to what its column holds, counted in code points")
    func detailBound() {
        let combining = String(repeating: "e\u{301}", count: 3000)
        #expect(TestResult(.verify, .failed, detail: combining).detail.unicodeScalars.count == TestResult.maxDetail)
    }

    @Test("a release key of 300 characters or with a NUL is refused before it reaches SQL; a manual run's task key is minted")
    func keys() throws {
        for hostile in [String(repeating: "R", count: 300), "REL-1\u{0}", ""] {
            #expect(throws: CommandError.self) { try TestRunKeys.checkReleaseKey(hostile) }
        }
        do {
            try TestRunKeys.checkReleaseKey("REL-\u{0}")
        } catch {
            #expect(error.kind == .validation && error.rule == "testing.release_key" && error.fields?["releaseKey"] != nil)
        }
        let key = TestRunKeys.manualTaskKey()
        #expect(key.hasPrefix("manual-") && key.count == 15 && key.dropFirst(7).allSatisfy(\.isHexDigit))
        #expect(key != TestRunKeys.manualTaskKey())
    }
}
