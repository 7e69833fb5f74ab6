import Foundation
import Postgres

/// Single-row INSERTs with bound parameters through the pool, beside pgbench (C, libpq)
/// doing the same INSERT and its `-N` simple-update workload, all in the same run.
enum PostgresBenchmarks {
    static func run(url: String, pgbench: String, seconds: Int) async throws -> [BenchmarkRow] {
        let config = try PostgresConfiguration(url: url)
        let pool = PostgresPool(configuration: config, maxConnections: 4)
        _ = try await pool.query("DROP TABLE IF EXISTS bench_insert")
        _ = try await pool.query(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL, n integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")

        let script = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-bench-insert.sql")
        try Data("INSERT INTO bench_insert (payload, n) VALUES ('release REL-000001 step', 1);\n".utf8).write(to: script)
        // A transaction count (-t), not a duration (-T): pgbench ends -T runs with SIGALRM,
        // which a child of this process never receives (Dispatch threads block it, and the
        // mask is inherited), so a -T run would never stop.
        let perClient = seconds * 2_500
        let insertBaseline = try pgbenchTPS(pgbench, config, ["-n", "-M", "prepared", "-c", "4", "-j", "2", "-t", "\(perClient)", "-f", script.path])
        _ = try pgbenchTPS(pgbench, config, ["-i", "-q", "-s", "4"], parse: false)
        let simpleUpdate = try pgbenchTPS(pgbench, config, ["-n", "-N", "-M", "prepared", "-c", "4", "-j", "2", "-t", "\(perClient / 2)"])

        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let inserted = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try await pool.query("INSERT INTO bench_insert (payload, n) VALUES (\("release REL-000001 step"), \(worker))")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        let perSecond = Double(inserted) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        _ = try await pool.query("DROP TABLE IF EXISTS bench_insert")
        await pool.close()
        return [
            BenchmarkRow(name: "PostgreSQL INSERT, 4 pooled connections", value: perSecond, unit: "rows/s",
                         baselineName: "pgbench same INSERT -c4 prepared", baseline: insertBaseline, target: 8_000),
            BenchmarkRow(name: "PostgreSQL INSERT (vs simple-update tps)", value: perSecond, unit: "rows/s",
                         baselineName: "pgbench -N -c4 (tps)", baseline: simpleUpdate, target: nil),
        ]
    }

    /// Runs pgbench against the benchmark database and returns its tps figure.
    private static func pgbenchTPS(_ pgbench: String, _ config: PostgresConfiguration, _ arguments: [String], parse: Bool = true) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pgbench)
        process.arguments = ["-h", config.host, "-p", "\(config.port)", "-U", config.user] + arguments + [config.database]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = config.password  // passed to the child only, never printed
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("pgbench \(arguments.first ?? "") exited with \(process.terminationStatus)") }
        guard parse else { return 0 }
        // "tps = 7423.123456 (without initial connection time)"
        for line in text.split(separator: "\n") where line.hasPrefix("tps = ") {
            let number = line.dropFirst(6).prefix { $0.isNumber || $0 == "." }
            if let value = Double(number) { return value }
        }
        throw BenchmarkError("pgbench printed no tps line")
    }
}
