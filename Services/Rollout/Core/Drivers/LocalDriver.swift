import Foundation
import Images
import NIOPosix
import Scripts

/// The `local` deploy driver: a folder stands for each target host,
/// `<targets root>/<CI key>` (its `/`, ``DeployEnvironment``'s `SHIPBOARD_TARGET_ROOT`).
///
/// - Each call unpacks the image (``ImageExtractor``) into a fresh staging folder
///   `<staging root>/<uuid>/image`, runs the scripts there with exactly
///   ``DeployEnvironment/variables`` through ``SandboxProcess`` (timeout over the process
///   group, bounded output), and removes the staging folder afterwards, whatever happened.
/// - Deploy: `install.sh`, then `verify.sh` when the image has one. Back out: `backout.sh`.
///   A missing or failing script, or an image that cannot be unpacked, is a failed outcome.
/// - A completed deploy is recorded in the ``InstallLedger``; a deploy of a rollout task the
///   ledger already records completed does nothing (an earlier attempt's replica died before
///   it could say so).
/// - Unpacking and removal block a thread, so they run on NIO's blocking pool.
public struct LocalDriver: DeployDriver {
    public let targetsRoot: String
    public let stagingRoot: String
    public let limits: ScriptLimits
    public let ledger: InstallLedger

    /// Relative roots are resolved against the current folder now: scripts get absolute paths.
    public init(targetsRoot: String, stagingRoot: String, limits: ScriptLimits) {
        self.targetsRoot = URL(fileURLWithPath: targetsRoot).standardizedFileURL.path
        self.stagingRoot = URL(fileURLWithPath: stagingRoot).standardizedFileURL.path
        self.limits = limits
        ledger = InstallLedger(targetsRoot: self.targetsRoot)
    }

    /// The folder standing for target `ciKey`'s host.
    public func targetRoot(ciKey: String) -> String {
        (targetsRoot as NSString).appendingPathComponent(ciKey)
    }

    public func deploy(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        let ledger = ledger
        if let done = await InstallLedger.alreadyInstalled(attempt, ledger) { return done }
        let outcome = try await run(attempt, required: "install.sh", then: "verify.sh")
        if outcome.succeeded {
            try await blocking { () throws(DeployDriverError) in try ledger.record(attempt) }
        }
        return outcome
    }

    public func backOut(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        try await run(attempt, required: "backout.sh", then: nil)
    }

    /// Stages the image, runs `required` and (when it passed and the image has it) `optional`.
    private func run(_ attempt: DeployAttempt, required: String, then optional: String?) async throws(DeployDriverError) -> DeployOutcome {
        if let problem = DeployAttemptRules.problem(attempt) { return .failure(problem) }
        let staging = (stagingRoot as NSString).appendingPathComponent(UUID().uuidString.lowercased())
        let environment = DeployEnvironment(
            attempt: attempt, staging: staging, targetRoot: targetRoot(ciKey: attempt.target.ciKey), imageDirectory: staging + "/image")
        let outcome: Result<DeployOutcome, DeployDriverError>
        do {
            outcome = .success(try await runStaged(environment, required: required, then: optional))
        } catch {
            outcome = .failure(error)
        }
        // Whatever happened, the staging folder goes.
        try? await blocking { ScratchTree.remove(staging) }
        return try outcome.get()
    }

    private func runStaged(_ environment: DeployEnvironment, required: String, then optional: String?) async throws(DeployDriverError) -> DeployOutcome {
        if let refusal = try await blocking({ () throws(DeployDriverError) in try Self.stage(environment) }) {
            return .failure(refusal)
        }
        let process = SandboxProcess(limits: limits, environment: environment.variables, workingDirectory: environment.imageDirectory)
        var runs: [DeployOutcome.ScriptRun] = []
        for script in [required] + (optional.map { [$0] } ?? []) {
            let path = environment.imageDirectory + "/" + script
            guard FileManager.default.fileExists(atPath: path) else {
                if script == required { return .failure("the image has no \(script)", runs) }
                continue
            }
            let outcome: ProcessOutcome
            do {
                outcome = try await process.run(path)
            } catch is CancellationError {
                throw .cancelled
            } catch {
                return .failure("\(script) could not be started: \(error)", runs)
            }
            runs.append(.init(script: script, outcome: outcome))
            if !outcome.succeeded { return .failure(outcome.summary(of: script), runs) }
        }
        return .success(runs)
    }

    /// Makes the target's and the staging folder and unpacks the image; a reason when the
    /// image itself is at fault (it would be on every attempt), a throw when the disk is.
    private static func stage(_ environment: DeployEnvironment) throws(DeployDriverError) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: environment.targetRoot, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: environment.staging, withIntermediateDirectories: true)
        } catch {
            throw .io("the target or staging folder cannot be made")
        }
        do {
            try ImageExtractor.extract(archiveAt: environment.attempt.image.archive, into: environment.imageDirectory)
            return nil
        } catch .io(let reason) {
            throw .io(reason)
        } catch {
            return "the image cannot be unpacked: \(error)"
        }
    }
}

/// Runs blocking file work on NIO's thread pool, never on Swift's cooperative pool.
func blocking<Value: Sendable>(_ work: @escaping @Sendable () throws(DeployDriverError) -> Value) async throws(DeployDriverError) -> Value {
    do {
        return try await NIOThreadPool.singleton.runIfActive { try work() }
    } catch let error as DeployDriverError {
        throw error
    } catch is CancellationError {
        throw .cancelled
    } catch {
        throw .io("the blocking-I/O pool is not running")
    }
}
