import Foundation
import RolloutCore
import Scripts
import ServiceKit

/// shipboard-rollout's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the migrations that must have been applied |
/// | `SHIPBOARD_ROLLOUT_POOL` | `default` | the worker pool this replica is in (its queue is `rollout.deploy.<pool>`) |
/// | `SHIPBOARD_ROLLOUT_SITES` | empty (every site) | comma-separated sites this replica can reach |
/// | `SHIPBOARD_ROLLOUT_CONCURRENCY` | `32` | deploys running at once on this replica |
/// | `SHIPBOARD_ROLLOUT_LEASE_SECONDS` | `30` | how long a claimed target stays this replica's without renewal |
/// | `SHIPBOARD_ROLLOUT_REPLICA` | host name and process id | this replica's name in leases and attempts |
/// | `SHIPBOARD_ROLLOUT_DRIVER` | `local` | `local`, `ssh` or `simulated` |
/// | `SHIPBOARD_ROLLOUT_TARGETS_ROOT` | `.run/targets` | `local`: the folder holding one folder per target CI |
/// | `SHIPBOARD_ROLLOUT_STAGING_ROOT` | `.run/rollout-staging` | where images are unpacked for an attempt |
/// | `SHIPBOARD_ROLLOUT_CACHE` | `.run/rollout-cache` | this replica's cache of DML archives, by digest |
/// | `SHIPBOARD_DML_URL` | `http://127.0.0.1:8093` | shipboard-testing's DML download server |
/// | `SHIPBOARD_DML_TOKEN` | required unless `simulated` | the bearer token for DML downloads (secret) |
/// | `SHIPBOARD_ROLLOUT_SSH_KEY`, `_SSH_KNOWN_HOSTS`, `_SSH_USER`, `_SSH_PORT` | required for `ssh` (port 22) | the `ssh` driver's identity, known hosts, user and port |
/// | `SHIPBOARD_ROLLOUT_SIMULATED_LATENCY` | `fixed:0ms` | `simulated`: `fixed:200ms`, `uniform:100ms:300ms` or `lognormal:200ms:0.5` |
/// | `SHIPBOARD_ROLLOUT_SIMULATED_FAILURE_PERCENT` | `0` | `simulated`: the share of deploys that fail |
/// | `SHIPBOARD_ROLLOUT_SIMULATED_LEDGER` | `false` | `simulated`: record each completed deploy in the install ledger (crash tests) |
/// | `SHIPBOARD_SCRIPT_TIMEOUT_SECONDS` | `300` | the longest any one script may run |
/// | `SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB` | `64` | the most output kept per script |
struct RolloutSettings: Sendable {
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the migrations that must have been applied"),
        .init("SHIPBOARD_ROLLOUT_POOL", default: "default", "the worker pool this replica is in"),
        .init("SHIPBOARD_ROLLOUT_SITES", default: "", "comma-separated sites this replica can reach (empty: every site)"),
        .init("SHIPBOARD_ROLLOUT_CONCURRENCY", default: "32", "deploys running at once on this replica"),
        .init("SHIPBOARD_ROLLOUT_LEASE_SECONDS", default: "30", "how long a claimed target stays this replica's without renewal"),
        .init("SHIPBOARD_ROLLOUT_REPLICA", default: "host-pid", "this replica's name in leases and attempts"),
        .init("SHIPBOARD_ROLLOUT_DRIVER", default: "local", "local, ssh or simulated"),
        .init("SHIPBOARD_ROLLOUT_TARGETS_ROOT", default: ".run/targets", "local driver: one folder per target CI"),
        .init("SHIPBOARD_ROLLOUT_STAGING_ROOT", default: ".run/rollout-staging", "where images are unpacked for an attempt"),
        .init("SHIPBOARD_ROLLOUT_CACHE", default: ".run/rollout-cache", "this replica's cache of DML archives"),
        .init("SHIPBOARD_DML_URL", default: "http://127.0.0.1:8093", "shipboard-testing's DML download server"),
        .init("SHIPBOARD_DML_TOKEN", default: nil, "the bearer token for DML downloads (not for simulated)", secret: true),
        .init("SHIPBOARD_ROLLOUT_SSH_KEY", default: nil, "ssh driver: the private key file"),
        .init("SHIPBOARD_ROLLOUT_SSH_KNOWN_HOSTS", default: nil, "ssh driver: the known-hosts file"),
        .init("SHIPBOARD_ROLLOUT_SSH_USER", default: nil, "ssh driver: the user on the targets"),
        .init("SHIPBOARD_ROLLOUT_SSH_PORT", default: "22", "ssh driver: the port"),
        .init("SHIPBOARD_ROLLOUT_SIMULATED_LATENCY", default: "fixed:0ms", "simulated driver: the latency distribution"),
        .init("SHIPBOARD_ROLLOUT_SIMULATED_FAILURE_PERCENT", default: "0", "simulated driver: the share of deploys that fail"),
        .init("SHIPBOARD_ROLLOUT_SIMULATED_LEDGER", default: "false", "simulated driver: record installs in the targets root's ledger"),
        .init("SHIPBOARD_SCRIPT_TIMEOUT_SECONDS", default: "300", "the longest any one script may run"),
        .init("SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB", default: "64", "the most output kept per script"),
    ]

    enum DriverKind: String, CaseIterable, Sendable {
        case local, ssh, simulated
    }

    let migrationsDirectory: String
    let worker: WorkerSettings
    let driverKind: DriverKind
    let targetsRoot: String
    let stagingRoot: String
    let cacheFolder: String
    let dmlURL: String
    /// Secret: never logged or put in errors.
    let dmlToken: String
    let ssh: SSHDriver.Settings?
    let latency: SimulatedLatency
    let failurePercent: Int
    /// `simulated`: record completed deploys in the install ledger under the targets root.
    let simulatedLedger: Bool
    let limits: ScriptLimits

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        let pool = reader.string("SHIPBOARD_ROLLOUT_POOL", default: WorkerSettings.defaultPool)
        if !WorkerSettings.isValidPool(pool) {
            reader.recordProblem("SHIPBOARD_ROLLOUT_POOL", "must be 1 to 40 of a-z, 0-9 and '-', not starting with '-'")
        }
        let sites = reader.string("SHIPBOARD_ROLLOUT_SITES", default: "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if sites.contains(where: { $0.count > 100 || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            reader.recordProblem("SHIPBOARD_ROLLOUT_SITES", "each site is at most 100 characters without control characters")
        }
        let replica = reader.optional("SHIPBOARD_ROLLOUT_REPLICA") ?? WorkerSettings.defaultReplicaName()
        worker = WorkerSettings(
            pool: pool, sites: sites, concurrency: reader.int("SHIPBOARD_ROLLOUT_CONCURRENCY", default: 32, range: 1...4096),
            lease: .seconds(reader.int("SHIPBOARD_ROLLOUT_LEASE_SECONDS", default: 30, range: 2...3600)),
            replica: String(replica.prefix(200)))
        driverKind = reader.oneOf("SHIPBOARD_ROLLOUT_DRIVER", default: DriverKind.local)
        targetsRoot = reader.string("SHIPBOARD_ROLLOUT_TARGETS_ROOT", default: ".run/targets")
        stagingRoot = reader.string("SHIPBOARD_ROLLOUT_STAGING_ROOT", default: ".run/rollout-staging")
        cacheFolder = reader.string("SHIPBOARD_ROLLOUT_CACHE", default: ".run/rollout-cache")
        dmlURL = reader.string("SHIPBOARD_DML_URL", default: "http://127.0.0.1:8093")
        dmlToken = driverKind == .simulated ? "" : reader.required("SHIPBOARD_DML_TOKEN", secret: true)
        ssh = driverKind == .ssh
            ? SSHDriver.Settings(
                identityFile: reader.required("SHIPBOARD_ROLLOUT_SSH_KEY"), knownHostsFile: reader.required("SHIPBOARD_ROLLOUT_SSH_KNOWN_HOSTS"),
                user: reader.required("SHIPBOARD_ROLLOUT_SSH_USER"), port: reader.int("SHIPBOARD_ROLLOUT_SSH_PORT", default: 22, range: 1...65535),
                localHome: stagingRoot)
            : nil
        let latencyText = reader.string("SHIPBOARD_ROLLOUT_SIMULATED_LATENCY", default: "fixed:0ms")
        latency = SimulatedLatency(latencyText) ?? .fixed(.zero)
        if SimulatedLatency(latencyText) == nil {
            reader.recordProblem("SHIPBOARD_ROLLOUT_SIMULATED_LATENCY", "is not like fixed:200ms, uniform:100ms:300ms or lognormal:200ms:0.5")
        }
        failurePercent = reader.int("SHIPBOARD_ROLLOUT_SIMULATED_FAILURE_PERCENT", default: 0, range: 0...100)
        simulatedLedger = reader.bool("SHIPBOARD_ROLLOUT_SIMULATED_LEDGER", default: false)
        limits = ScriptLimits(
            timeout: .seconds(reader.int("SHIPBOARD_SCRIPT_TIMEOUT_SECONDS", default: 300, range: 1...86_400)),
            outputBytes: reader.int("SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB", default: 64, range: 1...1024) * 1024)
    }

    /// The driver this replica deploys with.
    func driver() -> any DeployDriver {
        switch driverKind {
        case .local: LocalDriver(targetsRoot: targetsRoot, stagingRoot: stagingRoot, limits: limits)
        case .ssh: SSHDriver(settings: ssh!, limits: limits)
        case .simulated:
            SimulatedDriver(
                latency: latency, failureRate: Double(failurePercent) / 100, seed: 1,
                ledger: simulatedLedger ? InstallLedger(targetsRoot: targetsRoot) : nil)
        }
    }
}
