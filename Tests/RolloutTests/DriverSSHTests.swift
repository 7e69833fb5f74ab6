import Foundation
import Glibc
import RolloutCore
import Scripts
import Testing
import TestingCore

/// The `ssh` deploy driver against a real OpenSSH server the test starts on a loopback
/// port, with its own host key, client key and known-hosts file.
@Suite("Deploy driver: ssh", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"), "needs Debian's openssh-server"))
struct DriverSSHTests {
    static let limits = ScriptLimits(timeout: .seconds(20), outputBytes: 4096)

    /// A running `sshd` accepting the test's key for the current user, and settings for it.
    static func withServer(_ body: (SSHDriver.Settings, Int, String) async throws -> Void) async throws {
        try await DriverImages.withFolder { folder in
            let ssh = folder + "/ssh"
            try FileManager.default.createDirectory(atPath: ssh, withIntermediateDirectories: true)
            for key in ["host_key", "client_key"] {
                try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", ssh + "/" + key], in: folder)
            }
            try FileManager.default.copyItem(atPath: ssh + "/client_key.pub", toPath: ssh + "/authorized_keys")
            let port = try Loopback.freePort()
            let hostKey = try String(contentsOfFile: ssh + "/host_key.pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
            try Data("[127.0.0.1]:\(port) \(hostKey)\n".utf8).write(to: URL(fileURLWithPath: ssh + "/known_hosts"))
            try Data("""
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(ssh)/host_key
                PidFile \(ssh)/sshd.pid
                AuthorizedKeysFile \(ssh)/authorized_keys
                StrictModes no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                PermitRootLogin prohibit-password
                Subsystem sftp internal-sftp
                LogLevel ERROR

                """.utf8).write(to: URL(fileURLWithPath: ssh + "/sshd_config"))
            // sshd's privilege separation needs this folder; it exists where sshd ran before.
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            // In the foreground, as this test's child: cancelling the task kills its process group.
            let server = Task {
                try await SandboxProcess(
                    limits: .init(timeout: .seconds(300), outputBytes: 4096), environment: ["PATH": "/usr/bin:/bin", "HOME": folder],
                    workingDirectory: folder
                ).run("/usr/sbin/sshd", arguments: ["-D", "-e", "-f", ssh + "/sshd_config"])
            }
            do {
                // sshd writes its pid file once it listens.
                for _ in 0..<1000 where !FileManager.default.fileExists(atPath: ssh + "/sshd.pid") {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try #require(FileManager.default.fileExists(atPath: ssh + "/sshd.pid"), "sshd did not start")
                let user = String(cString: getpwuid(getuid()).pointee.pw_name)
                let settings = SSHDriver.Settings(
                    identityFile: ssh + "/client_key", knownHostsFile: ssh + "/known_hosts", user: user, port: 22,
                    remoteStagingRoot: folder + "/remote-staging", remoteTargetRoot: folder + "/remote-target", localHome: ssh)
                try await body(settings, port, folder)
            } catch {
                server.cancel()
                _ = await server.result
                throw error
            }
            server.cancel()
            _ = await server.result
        }
    }

    static func run(_ executable: String, _ arguments: [String], in folder: String) async throws {
        let outcome = try await SandboxProcess(limits: limits, environment: ["PATH": "/usr/bin:/bin", "HOME": folder], workingDirectory: folder)
            .run(executable, arguments: arguments)
        guard outcome.succeeded else { throw DeployDriverError.io("\(executable) failed: \(outcome.output)") }
    }

    static func attempt(_ folder: String, port: Int, changes: [String: String?] = [:]) throws -> DeployAttempt {
        var attempt = try DriverImages.attempt(in: folder, changes: changes)
        attempt.target.attributes = ["host": "127.0.0.1", "port": String(port)]
        return attempt
    }

    @Test("a deploy over ssh installs into the host's target root with the documented environment, verifies, and cleans up")
    func deployAndBackOut() async throws {
        try await Self.withServer { settings, port, folder in
            let driver = SSHDriver(settings: settings, limits: Self.limits)
            let attempt = try Self.attempt(folder, port: port, changes: ["install.sh": DriverImages.passing["install.sh"]! + "env | sort\n"])
            let outcome = try await driver.deploy(attempt)
            #expect(outcome.succeeded, "\(outcome.log)")
            #expect(outcome.scripts.map(\.script) == ["install.sh", "verify.sh"])
            let printed = outcome.scripts[0].outcome.output
            #expect(printed.contains("SHIPBOARD_TARGET_ROOT=\(settings.remoteTargetRoot)\n"))
            #expect(printed.contains("SHIPBOARD_TARGET_CI=CI-SRV-0001\n") && printed.contains("SHIPBOARD_ATTEMPT=1\n"))
            let names = printed.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "=" }) }
            let documented = Set(DeployEnvironment(attempt: attempt, staging: "", targetRoot: "", imageDirectory: "").variables.keys)
            #expect(Set(names).subtracting(["PWD"]) == documented, "only the documented variables (and the shell's own PWD)")
            #expect(try String(contentsOfFile: settings.remoteTargetRoot + "/opt/app/app.conf", encoding: .utf8) == "threads = 4\n")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: settings.remoteStagingRoot)) ?? []).isEmpty)
            let backout = try await driver.backOut(attempt)
            #expect(backout.succeeded, "\(backout.log)")
            #expect(!FileManager.default.fileExists(atPath: settings.remoteTargetRoot + "/opt"))
        }
    }

    @Test("a failing verify over ssh is a failed outcome with its output")
    func failingVerify() async throws {
        try await Self.withServer { settings, port, folder in
            let attempt = try Self.attempt(folder, port: port, changes: ["verify.sh": "#!/bin/sh\necho nope\nexit 3\n"])
            let outcome = try await SSHDriver(settings: settings, limits: Self.limits).deploy(attempt)
            #expect(!outcome.succeeded && outcome.failureReason == "verify.sh exited with status 3: see its output")
            #expect(outcome.scripts.last?.outcome.output == "nope\n")
        }
    }

    @Test("a script that outlives its limit on the host is killed there by timeout, and reported as timed out")
    func timeoutOnHost() async throws {
        try await Self.withServer { settings, port, folder in
            let attempt = try Self.attempt(folder, port: port, changes: ["install.sh": "#!/bin/sh\nsleep 30\n"])
            let limits = ScriptLimits(timeout: .seconds(1), outputBytes: 4096)
            let outcome = try await SSHDriver(settings: settings, limits: limits).deploy(attempt)
            #expect(!outcome.succeeded && outcome.scripts.first?.outcome.ending == .timedOut(.seconds(1)))
            #expect(outcome.failureReason?.hasPrefix("install.sh timed out after 1 s") == true)
        }
    }

    @Test("a host whose key is not in the known-hosts file is refused: infrastructure trouble, nothing runs")
    func unknownHostKey() async throws {
        try await Self.withServer { settings, port, folder in
            try Data().write(to: URL(fileURLWithPath: settings.knownHostsFile))
            let attempt = try Self.attempt(folder, port: port)
            await #expect(throws: DeployDriverError.self) { try await SSHDriver(settings: settings, limits: Self.limits).deploy(attempt) }
            #expect(!FileManager.default.fileExists(atPath: settings.remoteTargetRoot + "/opt"))
        }
    }

    @Test("a host, port or user attribute that could be an ssh option or a shell word fails the attempt before ssh starts")
    func hostileEndpoints() async throws {
        try await DriverImages.withFolder { folder in
            let settings = SSHDriver.Settings(identityFile: "/nonexistent", knownHostsFile: "/nonexistent", user: "deploy", localHome: folder)
            let valid = try DriverImages.attempt(in: folder)
            for attributes in [["host": "-oProxyCommand=touch /tmp/x"], ["host": "a b"], ["host": "h;rm -rf /"], [:],
                               ["host": "h", "port": "0"], ["host": "h", "port": "22x"], ["host": "h", "user": "-l"], ["host": "h", "user": "a b"]] {
                var attempt = valid
                attempt.target.attributes = attributes
                let outcome = try await SSHDriver(settings: settings, limits: Self.limits).deploy(attempt)
                #expect(!outcome.succeeded && outcome.scripts.isEmpty, "\(attributes)")
            }
        }
    }
}
