import Foundation
import Scripts

extension SSHDriver {
    /// Stages the image on the host, runs the scripts, removes the staging folder.
    func run(_ attempt: DeployAttempt, required: String, then optional: String?) async throws(DeployDriverError) -> DeployOutcome {
        if let problem = DeployAttemptRules.problem(attempt) { return .failure(problem) }
        let endpoint: SSHEndpoint
        switch SSHEndpoint.of(attempt.target, settings: settings) {
        case .success(let value): endpoint = value
        case .failure(let refusal): return .failure(refusal.reason)
        }
        let staging = settings.remoteStagingRoot + "/" + UUID().uuidString.lowercased()
        let environment = DeployEnvironment(
            attempt: attempt, staging: staging, targetRoot: settings.remoteTargetRoot, imageDirectory: staging + "/image")
        let outcome: Result<DeployOutcome, DeployDriverError>
        do {
            outcome = .success(try await runStaged(environment, at: endpoint, required: required, then: optional))
        } catch {
            outcome = .failure(error)
        }
        // Whatever happened: the staging folder and the copied archive go (best effort).
        _ = try? await remote(endpoint, "rm -rf -- \(Self.quoted(staging)) \(Self.quoted(staging + ".tar.gz"))")
        return try outcome.get()
    }

    private func runStaged(
        _ environment: DeployEnvironment, at endpoint: SSHEndpoint, required: String, then optional: String?
    ) async throws(DeployDriverError) -> DeployOutcome {
        let image = Self.quoted(environment.imageDirectory), archive = environment.staging + ".tar.gz"
        try Self.expect(try await remote(endpoint, "mkdir -p -- \(image)"), "the staging folder cannot be made on the host")
        let copy = endpoint.scpArguments(common: commonOptions, source: environment.attempt.image.archive, destination: archive)
        try Self.expect(try await start("/usr/bin/scp", copy, limits: stepLimits), "the image cannot be copied to the host")
        let listing = try await remote(
            endpoint,
            "tar -xzf \(Self.quoted(archive)) -C \(image) && cd \(image) && for s in install.sh verify.sh backout.sh; do if [ -f \"$s\" ]; then echo \"$s\"; fi; done")
        if listing.ending == .exited(255) { throw .unreachable("ssh to \(endpoint.host) failed: \(listing.output.prefix(200))") }
        guard listing.succeeded else { return .failure("the image cannot be unpacked on the host: \(listing.output.prefix(500))") }
        let present = Set(listing.output.split(separator: "\n").map(String.init))
        var runs: [DeployOutcome.ScriptRun] = []
        for script in [required] + (optional.map { [$0] } ?? []) {
            guard present.contains(script) else {
                if script == required { return .failure("the image has no \(script)", runs) }
                continue
            }
            var outcome = try await remote(endpoint, scriptCommand(script, environment), limits: scriptLimits)
            if outcome.ending == .exited(255) { throw .unreachable("ssh to \(endpoint.host) failed while \(script) ran") }
            // `timeout` exits 124 when it ended the script at the limit.
            if outcome.ending == .exited(124) { outcome.ending = .timedOut(limits.timeout) }
            runs.append(.init(script: script, outcome: outcome))
            if !outcome.succeeded { return .failure(outcome.summary(of: script), runs) }
        }
        return .success(runs)
    }

    /// `cd <image> && exec timeout -k 2 <s> env -i <the documented variables> ./<script>`: at
    /// the limit `timeout` sends SIGTERM to its whole process group (the script and what it
    /// started), SIGKILL 2 s later to what is left. Not `-s KILL`: the group includes
    /// `timeout` itself, and ssh would then report a killed session (255), not a timeout.
    private func scriptCommand(_ script: String, _ environment: DeployEnvironment) -> String {
        let assignments = environment.variables.sorted { $0.key < $1.key }.map { Self.quoted("\($0.key)=\($0.value)") }
        let seconds = max(1, limits.timeout.components.seconds)
        return "cd \(Self.quoted(environment.imageDirectory)) && exec timeout -k 2 \(seconds) env -i \(assignments.joined(separator: " ")) ./\(script)"
    }

    /// The local ssh client outlives the remote `timeout` a little, so the host's limit acts first.
    private var scriptLimits: ScriptLimits {
        ScriptLimits(timeout: limits.timeout + .seconds(30), outputBytes: limits.outputBytes)
    }

    /// Staging, copying and cleaning up are not the image's scripts: they get at least 5
    /// minutes (a large image over a slow link), whatever the scripts' limit.
    private var stepLimits: ScriptLimits {
        ScriptLimits(timeout: max(limits.timeout, .seconds(300)), outputBytes: limits.outputBytes)
    }

    private var commonOptions: [String] {
        [
            "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(settings.knownHostsFile)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "IdentityFile=\(settings.identityFile)", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR",
        ]
    }

    private func remote(_ endpoint: SSHEndpoint, _ command: String, limits: ScriptLimits? = nil) async throws(DeployDriverError) -> ProcessOutcome {
        try await start("/usr/bin/ssh", endpoint.sshArguments(common: commonOptions, command: command), limits: limits ?? stepLimits)
    }

    /// Starts the OpenSSH client with nothing of the service's environment.
    private func start(_ executable: String, _ arguments: [String], limits: ScriptLimits) async throws(DeployDriverError) -> ProcessOutcome {
        let environment = ["PATH": ImageScriptEnvironment.path, "HOME": settings.localHome, "LANG": "C.UTF-8"]
        do {
            return try await SandboxProcess(limits: limits, environment: environment, workingDirectory: "/").run(executable, arguments: arguments)
        } catch is CancellationError {
            throw .cancelled
        } catch {
            throw .io("\(executable) cannot be started: \(error)")
        }
    }

    /// A step that is not a script: 255 is ssh's own failure, anything else the host's.
    private static func expect(_ outcome: ProcessOutcome, _ failure: String) throws(DeployDriverError) {
        if outcome.succeeded { return }
        let detail = "\(failure): \(outcome.summary(of: "the ssh client")): \(outcome.output.prefix(200))"
        throw outcome.ending == .exited(255) ? .unreachable(detail) : .io(detail)
    }

    /// `value` in single quotes for the host's shell (a `'` inside closes, escapes and reopens).
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
