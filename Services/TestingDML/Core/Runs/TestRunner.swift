import Foundation
import Images
import Scripts

/// Runs an image's test plan (``TestPlan``) in a throwaway ``Sandbox`` and returns one
/// result per step. It never throws: whatever goes wrong is a failed step, worded for a
/// person. The sandbox is removed when the run ends.
public struct TestRunner: Sendable {
    public let workRoot: String
    public let limits: TestRunLimits

    /// A relative `workRoot` is resolved against the current folder now: the processes run
    /// in the image's folder and are given absolute paths.
    public init(workRoot: String, limits: TestRunLimits) {
        self.workRoot = URL(fileURLWithPath: workRoot).standardizedFileURL.path
        self.limits = limits
    }

    /// Tests `image`, whose archive is the file at `archive`, as run `run`.
    public func run(_ image: BuiltImage, archive: String, run: UUID) async -> [TestResult] {
        let report = await integrity(image, archive: archive)
        let plan = TestPlan(manifest: report.manifest)
        var state = RunState(
            image: image, archive: archive, manifest: report.manifest ?? image.manifest,
            sandbox: Sandbox(workRoot: workRoot, run: run))
        defer { state.sandbox.remove() }
        var results: [TestResult] = []
        var outcomes: [TestStep: StepOutcome] = [:]
        for step in plan.steps {
            let result: TestResult
            if let reason = TestPlan.skipReason(step, after: outcomes) {
                result = TestResult(step, .skipped, detail: reason)
            } else {
                state.sandbox.touch()
                result = await perform(step, report: report, state: &state)
            }
            outcomes[step] = result.outcome
            results.append(result)
        }
        return results
    }

    /// What the steps share: the image, and what `install` measured for `backout-restores`.
    private struct RunState {
        let image: BuiltImage
        let archive: String
        let manifest: ImageManifest
        let sandbox: Sandbox
        var targetBefore: String?
    }

    private struct IntegrityReport: Sendable {
        var manifest: ImageManifest?
        var problems: [String]
    }

    /// The archive re-read: every file against its manifest, the archive's digest against
    /// the build's record, and the manifest inside against the one the build recorded.
    private func integrity(_ image: BuiltImage, archive: String) async -> IntegrityReport {
        let checked = try? await offCooperativePool { () -> IntegrityReport in
            let report = ImageIntegrity.verify(archiveAt: archive)
            var problems = report.problems
            do {
                let digest = try DirectoryImageStore.digest(of: archive)
                if digest.hex != image.sha256 {
                    problems.append("the archive's SHA-256 is \(digest.hex), not \(image.sha256) as built: it changed since the build")
                }
            } catch {
                problems.append("\(error)")
            }
            if let manifest = report.manifest, manifest != image.manifest {
                problems.append("the archive's manifest.json differs from the one recorded when the image was built")
            }
            return IntegrityReport(manifest: report.manifest, problems: problems)
        }
        return checked ?? IntegrityReport(manifest: nil, problems: ["the archive could not be read"])
    }

    private func perform(_ step: TestStep, report: IntegrityReport, state: inout RunState) async -> TestResult {
        switch step {
        case .integrity:
            return report.problems.isEmpty
                ? TestResult(step, .passed, detail: "\(report.manifest?.files.count ?? 0) files match the manifest; the archive is the one built")
                : TestResult(step, .failed, detail: report.problems.joined(separator: "; "))
        case .manifest:
            let problems = ManifestSchema.problems(report.manifest, releaseKey: state.image.releaseKey)
            return problems.isEmpty
                ? TestResult(step, .passed, detail: "the manifest is valid")
                : TestResult(step, .failed, detail: problems.joined(separator: "; "))
        case .install:
            if let failure = await prepare(&state) { return TestResult(step, .failed, detail: failure) }
            return await runScript(step, state)
        case .verify, .script, .backout:
            return await runScript(step, state)
        case .backoutRestores:
            return await compareTarget(state)
        }
    }

    /// Unpacks the image and measures the empty target root; a reason when that fails.
    private func prepare(_ state: inout RunState) async -> String? {
        let sandbox = state.sandbox, archive = state.archive
        do {
            let refusal = try await offCooperativePool { () -> String? in
                try sandbox.make()
                do {
                    try ImageExtractor.extract(archiveAt: archive, into: sandbox.image)
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            if let refusal { return refusal }
            state.targetBefore = try await offCooperativePool { try TreeDigest.of(root: sandbox.target) }
            return nil
        } catch {
            return "the sandbox could not be prepared: \(error)"
        }
    }

    private func runScript(_ step: TestStep, _ state: RunState) async -> TestResult {
        guard let script = step.script else { return TestResult(step, .failed, detail: "\(step.name) runs no script") }
        let environment = SandboxEnvironment(
            sandbox: state.sandbox.root, targetRoot: state.sandbox.target, imageDirectory: state.sandbox.image,
            imageName: state.manifest.name, imageVersion: state.manifest.version, imageSha256: state.image.sha256,
            releaseKey: state.image.releaseKey, testRun: state.sandbox.run.uuidString.lowercased())
        let outcome: ProcessOutcome
        do {
            outcome = try await SandboxProcess(limits: limits, environment: environment).run(state.sandbox.image + "/" + script)
        } catch {
            return TestResult(step, .failed, detail: "\(script) could not be started: \(error)")
        }
        return ScriptVerdict.result(of: step, script: script, outcome)
    }

    private func compareTarget(_ state: RunState) async -> TestResult {
        guard let before = state.targetBefore else {
            return TestResult(.backoutRestores, .failed, detail: "the target root was never measured before install")
        }
        let target = state.sandbox.target
        do {
            let after = try await offCooperativePool { try TreeDigest.of(root: target) }
            return after == before
                ? TestResult(.backoutRestores, .passed, detail: "the target root is as it was before install")
                : TestResult(.backoutRestores, .failed,
                             detail: "backout.sh left the target root changed (tree digest \(after), before install \(before)): make it undo everything install.sh does")
        } catch {
            return TestResult(.backoutRestores, .failed, detail: "the target root could not be measured after backout: \(error)")
        }
    }
}
