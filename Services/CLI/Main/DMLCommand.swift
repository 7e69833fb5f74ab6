import ArgumentParser
import CLICore
import Crypto
import Foundation
import GatewayAPI
import NIOFileSystem
import OpenAPIRuntime

/// `shipboard dml list|show|verify|download|retire`: the Definitive Media Library.
struct DMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dml",
        abstract: "List, show, verify, download and retire entries of the Definitive Media Library.",
        subcommands: [List.self, Show.self, Verify.self, Download.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List DML entries, by name then newest first.")

        @Option(help: "Only entries of this image name.") var name: String?
        @Option(help: "Only entries in this state.") var state: Components.Schemas.DMLState?
        @Option(help: "At most this many, 1 to 200 (server default 50).") var limit: Int?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
        }

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.listDMLEntries(query: .init(name: name, state: state, limit: limit))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { DMLText.list($0.items) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an entry with its provenance and who uses it.")

        @Argument(help: "NAME@VERSION, e.g. payroll@4.2.0.") var entry: DMLEntryArgument
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.getDMLEntry(path: .init(name: entry.value.name, version: entry.value.version))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: DMLText.show)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every available entry against its SHA-256 (exit 1 when any does not match).")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run(readTimeout: .seconds(3600)) { session in
                try await session.command({ client, idempotencyKey in
                    try await client.verifyDML(headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: DMLText.verified)
            if !reply.value.mismatches.isEmpty { throw ExitCode(CLIExitStatus.failure.rawValue) }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an entry's content (its record stays, retired); refused while a rollout uses it.")

        @Argument(help: "NAME@VERSION.") var entry: DMLEntryArgument
        @Option(help: "Why.") var reason: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.retireDMLEntry(
                        path: .init(name: entry.value.name, version: entry.value.version), query: .init(reason: reason),
                        headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "retired \($0.name)@\($0.version)\n" }
        }
    }
}

/// A `NAME@VERSION` argument.
struct DMLEntryArgument: ExpressibleByArgument, Sendable {
    let value: DMLCoordinate

    init?(argument: String) {
        guard let value = DMLCoordinate(argument) else { return nil }
        self.value = value
    }
}

extension Components.Schemas.DMLState: ExpressibleByArgument {}
