import Contracts
import Foundation
import Logging
import Messaging
import Metrics
import Postgres
import ServiceLifecycle

/// Verifies every audit chain periodically (each release's, and the shared ones), so
/// tampering is found without anyone asking: a broken chain is logged, counted in
/// `shipboard_audit_chains_broken`, and announced once as `planning.audit_chain_broken`.
///
/// Metrics (label `schema`):
/// - `shipboard_audit_chains_broken`: broken chains found by the last pass (alert when > 0);
/// - `shipboard_audit_chains_verified`: chains the last pass checked;
/// - `shipboard_audit_last_pass_timestamp_seconds`: when the last pass finished;
/// - `shipboard_audit_verify_failures_total`: passes that could not finish (database down).
///
/// The periodic pass is paced: after each batch it waits so that it takes at most
/// `cpuShare` of the time (a quarter by default). Every entry of every chain is still checked
/// on every pass; only the pass takes longer (on 100,000 releases, a pass at full speed
/// took 11–18% of planning's CPU while commands were being served, starting with the
/// pass at start-up).
public struct AuditVerifier: Service {
    let trail: AuditTrail
    let pool: PostgresPool
    let interval: Duration
    let batchSize: Int
    let cpuShare: Double
    let logger: Logger
    let metrics: Metrics
    let reported = ReportedFindings()

    public init(
        trail: AuditTrail, pool: PostgresPool, interval: Duration = .seconds(600), batchSize: Int = 500, cpuShare: Double = 0.25,
        logger: Logger = Logger(label: "shipboard.audit"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.trail = trail
        self.pool = pool
        self.interval = interval
        self.batchSize = batchSize
        self.cpuShare = min(max(cpuShare, 0.01), 1)
        self.logger = logger
        self.metrics = Metrics(schema: trail.schema, factory: metricsFactory ?? MetricsSystem.factory)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await verifyAll(paced: true)
                } catch is CancellationError {
                    return
                } catch {
                    metrics.failures.increment()
                    logger.warning("audit verification could not finish; retried next pass", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass over every chain; returns the broken ones by chain. New findings are logged
    /// and published (in a transaction of their own each), old ones only counted. `paced`
    /// spreads the pass out (see the type's comment); a caller waiting for the answer does not.
    @discardableResult
    public func verifyAll(paced: Bool = false) async throws -> [String: AuditVerification] {
        var broken: [String: AuditVerification] = [:]
        var verified = 0
        var after = ""
        while true {
            let keys = try await pool.query(
                """
                SELECT key FROM \(identifier: trail.schema).releases WHERE key > \(after) ORDER BY key LIMIT \(batchSize)
                """
            ).map { try $0.decode(String.self) }
            guard let last = keys.last else { break }
            let started = ContinuousClock.now
            try await check(keys, into: &broken)
            if paced, cpuShare < 1 { try await Task.sleep(for: (ContinuousClock.now - started) * ((1 - cpuShare) / cpuShare)) }
            verified += keys.count
            after = last
        }
        let shared = try await pool.query("SELECT chain_key FROM \(identifier: trail.schema).audit_chain_heads ORDER BY chain_key")
            .map { try $0.decode(String.self) }
        try await check(shared, into: &broken)
        verified += shared.count
        metrics.broken.record(broken.count)
        metrics.verified.record(verified)
        metrics.lastPass.record(Date().timeIntervalSince1970)
        try await report(broken)
        return broken
    }

    private func check(_ chains: [String], into broken: inout [String: AuditVerification]) async throws {
        guard !chains.isEmpty else { return }
        let reader = trail.reader
        let read = try await reader.snapshot(of: chains, pool: pool)
        for chain in chains {
            let outcome = AuditChainCheck.verify(
                chain: chain, entries: read.entries[chain, default: []], head: read.heads[chain], keyring: trail.keyring)
            if case .broken = outcome { broken[chain] = outcome }
        }
    }

    private func report(_ broken: [String: AuditVerification]) async throws {
        for (chain, outcome) in broken.sorted(by: { $0.key < $1.key }) {
            guard case .broken(let seq, let reason) = outcome, await reported.insert("\(chain)#\(seq)#\(reason)") else { continue }
            logger.error("audit chain broken", metadata: ["chain": "\(chain)", "seq": "\(seq)", "reason": "\(reason)"])
            try await pool.withTransaction { transaction in
                try await Outbox(schema: trail.schema).publish(
                    Envelope(AuditChainBroken(chain: chain, seq: seq, reason: reason), correlationId: chain, actor: "service:planning"),
                    in: transaction)
            }
        }
    }

    struct Metrics: Sendable {
        let broken: Gauge
        let verified: Gauge
        let lastPass: Gauge
        let failures: Counter

        init(schema: String, factory: any MetricsFactory) {
            let dimensions = [("schema", schema)]
            broken = Gauge(label: "shipboard_audit_chains_broken", dimensions: dimensions, factory: factory)
            verified = Gauge(label: "shipboard_audit_chains_verified", dimensions: dimensions, factory: factory)
            lastPass = Gauge(label: "shipboard_audit_last_pass_timestamp_seconds", dimensions: dimensions, factory: factory)
            failures = Counter(label: "shipboard_audit_verify_failures_total", dimensions: dimensions, factory: factory)
        }
    }

    /// Findings already announced by this process (each is announced once).
    actor ReportedFindings {
        private var seen: Set<String> = []

        func insert(_ finding: String) -> Bool { seen.insert(finding).inserted }
    }
}
