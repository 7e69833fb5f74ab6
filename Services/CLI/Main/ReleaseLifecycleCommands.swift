import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// What the caller saw of the release, sent with every lifecycle command so that a command
/// on a release that has moved on since is refused (409) instead of applied to the wrong
/// phase. By default the release is read first and its phase and version are sent; with
/// `--expect-phase` only that phase is sent (no read, no version check).
struct ViewExpectationOptions: ParsableArguments {
    @Option(help: "The phase you expect the release to be in (default: read it now, and check its version too).")
    var expectPhase: Components.Schemas.Phase?
}

struct ReleaseView: Sendable {
    let phase: Components.Schemas.Phase
    let version: Int?
}

/// The lifecycle commands' shared run: settle the expected view, send the command with an
/// idempotency key (resent once on no answer or 504), print the release's summary.
struct LifecycleRun {
    let key: ReleaseKey
    let output: OutputOptions
    let verb: String

    func run<Output: Sendable>(
        checking expectation: ViewExpectationOptions,
        _ send: (_ client: Client, _ key: String, _ idempotencyKey: String, _ view: ReleaseView) async throws -> Output,
        summary: (Output) throws -> Components.Schemas.ReleaseSummary
    ) async throws {
        let key = key.text
        let reply = try await APISession.run { session in
            let view: ReleaseView
            if let phase = expectation.expectPhase {
                view = ReleaseView(phase: phase, version: nil)
            } else {
                let release = try await session.call({ try await $0.getRelease(path: .init(key: key)) }, expecting: { try $0.ok.body.json })
                view = ReleaseView(phase: release.value.phase, version: release.value.version)
            }
            return try await session.command({ try await send($0, key, $1, view) }, expecting: summary)
        }
        try output.emit(reply) { ReleaseText.summary(verb, $0) }
    }
}

extension ReleaseCommand {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a draft release for authorization.")
        @Argument(help: "The release key, e.g. REL-000001 (or 1).") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.submitRelease(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { ReleaseText.summary("submitted", $0) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve the current phase's gate (as a member of its group).")
        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "A comment kept with the approval.") var comment: String?
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "approved")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.approveRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(comment: comment, expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject the release at the current phase's gate (final).")
        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "rejected")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.rejectRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(reason: reason, expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move the release one phase forward.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "advanced")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.advanceRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put an in-progress release on hold.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Why.") var reason: String?
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "held")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.holdRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(reason: reason, expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a release on hold.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "resumed")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.resumeRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a release that is not yet finished (final).")
        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Why.") var reason: String?
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "cancelled")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.cancelRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(reason: reason, expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Complete a release in review.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "closed")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                try await client.closeRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(expectedPhase: view.phase, expectedVersion: view.version)))
            }, summary: { try $0.ok.body.json })
        }
    }
}
