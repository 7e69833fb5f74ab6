import Foundation

// shipboard-bench: throughput of the foundation wrappers beside same-run baselines.
// Usage: bash Infra/scripts/bench.sh [--quick] [--only=release-commands]
// `--only=release-commands` runs the raw AMQP rows (its baseline) and the release commands row.
let quick = CommandLine.arguments.contains("--quick")
let onlyReleaseCommands = CommandLine.arguments.contains("--only=release-commands")
var rows: [BenchmarkRow] = []
do {
    rows += try await AMQPBenchmarks.run(url: try environment("SHIPBOARD_AMQP_URL"), messages: quick ? 20_000 : 100_000)
    if !onlyReleaseCommands {
        rows += try await MessagingBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), events: quick ? 5_000 : 20_000,
            rawTransport: rows.first { $0.name.hasPrefix("AMQP consume") }?.value ?? 0)
        rows += try await PostgresBenchmarks.run(
            url: try environment("SHIPBOARD_BENCH_DATABASE_URL"), pgbench: try environment("PGBENCH"), seconds: quick ? 5 : 10)
        rows += try await PlanningBenchmarks.run(databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"))
    }
    rows += try await PlanningCommandBenchmarks.run(
        databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_AMQP_URL"),
        migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), commands: quick ? 2_000 : 6_000,
        rawTransport: rows.first { $0.name.hasPrefix("AMQP consume") }?.value ?? 0)
    BenchmarkReport.print(rows)
} catch {
    FileHandle.standardError.write(Data("shipboard-bench: \(error)\n".utf8))
    exit(1)
}
