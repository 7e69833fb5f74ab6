import ArgumentParser
import Foundation
import Messaging
import Postgres

/// `shipboard-admin outbox list|retry|discard`: the outbox rows a relay marked failed
/// (see `OutboxAdministration`).
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List, retry or discard outbox rows that could not be published.",
        subcommands: [List.self, Retry.self, Discard.self])

    /// Options every outbox subcommand takes.
    struct Target: ParsableArguments {
        @Option(help: "The service's schema, e.g. planning.")
        var schema: String

        func validate() throws {
            guard PostgresIdentifier.isValid(schema) else {
                throw ValidationError("--schema must be a plain schema name such as planning")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List failed rows, oldest first.")

        @OptionGroup var target: Target
        @Flag(help: "Print a JSON array instead of a table.")
        var json = false

        func run() async throws {
            let rows = try await AdminDatabase.run(schema: target.schema) { try await $0.failedRows() }
            if json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            } else {
                print(OutboxFailedRowTable(rows).text, terminator: "")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make failed rows pending again (with fresh attempts); the relay publishes them in order.")

        @OptionGroup var target: Target
        @Option(help: "The message id of the row.")
        var id: String?
        @Flag(help: "Every failed row of the schema.")
        var all = false

        func validate() throws {
            guard (id != nil) != all else { throw ValidationError("give exactly one of --id <message id> or --all") }
            if let id { _ = try OutboxCommand.messageID(id) }
        }

        func run() async throws {
            if let id = try id.map(OutboxCommand.messageID) {
                let found = try await AdminDatabase.run(schema: target.schema) { try await $0.retry(messageID: id) }
                guard found else { throw AdminFailure("no failed row with message id \(id.uuidString.lowercased()) in \(target.schema).outbox") }
                print("retried 1 row")
            } else {
                let count = try await AdminDatabase.run(schema: target.schema) { try await $0.retryAll() }
                print("retried \(count) row\(count == 1 ? "" : "s")")
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a failed row discarded: never published, kept for the record; rows behind it go on.")

        @OptionGroup var target: Target
        @Option(help: "The message id of the row.")
        var id: String

        func validate() throws {
            _ = try OutboxCommand.messageID(id)
        }

        func run() async throws {
            let id = try OutboxCommand.messageID(self.id)
            let found = try await AdminDatabase.run(schema: target.schema) { try await $0.discard(messageID: id) }
            guard found else { throw AdminFailure("no failed row with message id \(id.uuidString.lowercased()) in \(target.schema).outbox") }
            print("discarded 1 row")
        }
    }

    /// A message id as the list shows it (a UUID, any case).
    static func messageID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ValidationError("--id must be a message id (a UUID)") }
        return id
    }
}
