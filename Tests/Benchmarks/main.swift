import Foundation

// shipboard-bench: throughput of the foundation wrappers beside same-run baselines.
// Usage: bash Infra/scripts/bench.sh [--quick] [--only=GROUP[,GROUP…]]
// Groups: amqp, messaging, failover, postgres, cmdb, release-commands, gateway, work-plans, images, rollout, notify. The rows of a group
// that compare against the raw AMQP rate run the `amqp` group too (and `rollout` the `postgres` group, for `pgbench -N`).
if let flag = CommandLine.arguments.firstIndex(of: ImageBenchmarks.childFlag) {
    try ImageBenchmarks.childMain(Array(CommandLine.arguments[(flag + 1)...]))
}
if CommandLine.arguments.contains("--help") {
    print("""
        usage: shipboard-bench [--quick] [--only=GROUP[,GROUP…]]
        Benchmarks beside same-run baselines; run through `bash Infra/scripts/bench.sh`, which sets the environment.
        Groups: amqp, messaging, failover, postgres, cmdb, release-commands, gateway, work-plans, images, rollout, notify.
        """)
    exit(0)
}
if CommandLine.arguments.contains("--version") {
    print("shipboard-bench 0.9.0")  // ShipboardVersion.current, which this tool does not link
    exit(0)
}
let quick = CommandLine.arguments.contains("--quick")
let only: Set<String>? = CommandLine.arguments.first { $0.hasPrefix("--only=") }
    .map { Set($0.dropFirst("--only=".count).split(separator: ",").map(String.init)) }
func runs(_ group: String) -> Bool { only?.contains(group) ?? true }
var rows: [BenchmarkRow] = []
do {
    if runs("amqp") || runs("messaging") || runs("release-commands") || runs("rollout") {
        rows += try await AMQPBenchmarks.run(url: try environment("SHIPBOARD_AMQP_URL"), messages: quick ? 20_000 : 100_000)
    }
    let rawTransport = rows.first { $0.name.hasPrefix("AMQP consume") }?.value ?? 0
    if runs("messaging") {
        rows += try await MessagingBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), events: quick ? 5_000 : 20_000,
            rawTransport: rawTransport)
    }
    if runs("failover") {
        rows += try await ConsumerFailoverBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), seconds: quick ? 3 : 6)
    }
    if runs("postgres") || runs("rollout") {
        rows += try await PostgresBenchmarks.run(
            url: try environment("SHIPBOARD_BENCH_DATABASE_URL"), pgbench: try environment("PGBENCH"), seconds: quick ? 5 : 10)
    }
    if runs("cmdb") {
        rows += try await PlanningBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"))
    }
    if runs("release-commands") {
        rows += try await PlanningCommandBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), commands: quick ? 2_000 : 6_000,
            rawTransport: rawTransport)
    }
    if runs("gateway") {
        rows += try await GatewayBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_TEST_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), pairs: quick ? 400 : 2_000, seconds: quick ? 5 : 10)
    }
    if runs("work-plans") {
        rows += try await WorkPlanBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"),
            runs: quick ? 10 : 20)
        rows += try await WorkPlanGatewayBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_TEST_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), rounds: quick ? 4 : 8)
    }
    if runs("images") {
        rows += try await ImageBenchmarks.run(rounds: quick ? 2 : 3)
    }
    if runs("rollout") {
        // The test vhost, as the gateway rows: a development stack (up.sh) runs shipboard-rollout on the main one.
        rows += try await RolloutBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_TEST_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), targets: quick ? 2_000 : 10_000, slowTargets: quick ? 1_000 : 4_000,
            replicaCounts: [1, 2, 4],
            pgbenchSimpleUpdate: rows.first { $0.baselineName.hasPrefix("pgbench -N") }?.baseline, rawTransport: rawTransport)
    }
    if runs("notify") {
        // The test vhost, as the gateway rows: a development stack (up.sh) runs shipboard-notify on the main one.
        rows += try await NotifyBenchmarks.run(
            databaseURL: try environment("SHIPBOARD_BENCH_DATABASE_URL"), amqpURL: try environment("SHIPBOARD_TEST_AMQP_URL"),
            migrations: try environment("SHIPBOARD_MIGRATIONS_DIR"), rate: 100, seconds: quick ? 5 : 20)
    }
    BenchmarkReport.print(rows)
} catch {
    FileHandle.standardError.write(Data("shipboard-bench: \(error)\n".utf8))
    exit(1)
}
