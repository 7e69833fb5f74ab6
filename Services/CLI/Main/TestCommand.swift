import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard test run|results|accept|reject`: testing a release's image and deciding on it.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the tests of a release's image, read the results, accept the image into the DML or reject it.",
        subcommands: [Run.self, Results.self, Accept.self, Reject.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the test plan of the release's latest built image (in the background; see `shipboard test results`).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.requestTestRun(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.accepted.body.json })
            }
            try output.emit(reply) { "test run \($0.taskKey) of \($0.releaseKey) queued\n" }
        }
    }

    struct Results: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the release's test runs with each test's outcome, or one run with its output (--run).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(name: .customLong("run"), help: "One run's id: show it with each test's output.") var runId: Int64?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            if let runId {
                let reply = try await APISession.run { session in
                    try await session.call({ try await $0.getTestRun(path: .init(id: runId)) }, expecting: { try $0.ok.body.json })
                }
                try output.emit(reply, table: TestRunText.run)
            } else {
                let reply = try await APISession.run { session in
                    try await session.call({ try await $0.listTestRuns(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
                }
                try output.emit(reply, table: TestRunText.runs)
            }
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept the tested image into the DML (a run with failures needs --override-reason).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(name: .customLong("run"), help: "The run whose image is accepted (default: the latest).") var runId: Int64?
        @Option(help: "Why a run with failures is accepted anyway.") var overrideReason: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await TestCommand.decide(key, .init(decision: .accept, runId: runId, overrideReason: overrideReason), output)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject the tested image: it does not go into the DML.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(name: .customLong("run"), help: "The run whose image is rejected (default: the latest).") var runId: Int64?
        @Option(help: "Why.") var reason: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await TestCommand.decide(key, .init(decision: .reject, runId: runId, reason: reason), output)
        }
    }

    static func decide(_ key: ReleaseKey, _ body: Components.Schemas.AcceptanceInput, _ output: OutputOptions) async throws {
        let reply = try await APISession.run { session in
            try await session.command({ client, idempotencyKey in
                try await client.decideAcceptance(
                    path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
            }, expecting: { try $0.ok.body.json })
        }
        try output.emit(reply, table: TestRunText.decided)
    }
}
