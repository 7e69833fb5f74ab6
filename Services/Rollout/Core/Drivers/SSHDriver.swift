import Foundation
import Scripts

/// The `ssh` deploy driver: the target is a real host, reached with Debian's OpenSSH
/// client (`ssh`, `scp`) started through ``SandboxProcess``.
///
/// - Strict by construction: `BatchMode=yes` (never a prompt), only the configured key
///   (`IdentitiesOnly`), only the configured known-hosts file with
///   `StrictHostKeyChecking=yes` (an unknown or changed host key is refused), no user or
///   system ssh configuration (`-F /dev/null`). The host comes after `--`, so it can never
///   be read as an option.
/// - Each call copies the archive to `<remote staging root>/<uuid>.tar.gz`, unpacks it with
///   the host's `tar` into `<uuid>/image`, runs the scripts there under the host's
///   `timeout` (the script and what it started are ended at the limit; its exit status
///   124 reads as timed out) with exactly
///   ``DeployEnvironment/variables`` (`env -i`), and removes both afterwards.
/// - The host is the target's `host` attribute (else `address`), the port `port` (else the
///   setting), the user `user` (else the setting); values that are not a plain host name,
///   port or user name fail the attempt.
/// - `ssh` exits 255 when it cannot connect or authenticate: that is thrown as
///   ``DeployDriverError/unreachable(_:)`` (a script exiting 255 reads the same way).
public struct SSHDriver: DeployDriver {
    public struct Settings: Sendable, Equatable {
        /// The private key ssh authenticates with.
        public var identityFile: String
        /// The only known-hosts file consulted.
        public var knownHostsFile: String
        public var user: String
        public var port: Int
        /// Where each attempt stages its image on the host (a folder per attempt under it).
        public var remoteStagingRoot: String
        /// `SHIPBOARD_TARGET_ROOT` on the host: `/` on a real host, a folder in tests.
        public var remoteTargetRoot: String
        /// The local `HOME` of the ssh processes (nothing is read from it).
        public var localHome: String

        public init(identityFile: String, knownHostsFile: String, user: String, port: Int = 22,
                    remoteStagingRoot: String = "/var/tmp/shipboard-rollout", remoteTargetRoot: String = "/", localHome: String) {
            self.identityFile = identityFile
            self.knownHostsFile = knownHostsFile
            self.user = user
            self.port = port
            self.remoteStagingRoot = remoteStagingRoot
            self.remoteTargetRoot = remoteTargetRoot
            self.localHome = localHome
        }
    }

    public let settings: Settings
    public let limits: ScriptLimits

    public init(settings: Settings, limits: ScriptLimits) {
        self.settings = settings
        self.limits = limits
    }

    public func deploy(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        try await run(attempt, required: "install.sh", then: "verify.sh")
    }

    public func backOut(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        try await run(attempt, required: "backout.sh", then: nil)
    }
}
