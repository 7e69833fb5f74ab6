import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard ci …`: the configuration items (CMDB) releases touch.
struct CICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Import, list and relate configuration items; show dependencies and a release's impact.",
        subcommands: [Import.self, List.self, Show.self, Relate.self, Unrelate.self, Deps.self, Impact.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import CIs and relationships from a CSV or JSON file (all or nothing).")

        @Argument(help: "The file to import (at most 5 MiB).") var file: String
        @Option(help: "csv or json (default: from the file's extension).") var format: Components.Schemas.CIImport.formatPayload?
        @Flag(help: "Check the file and report what would change, changing nothing.") var dryRun = false
        @Flag(help: "Only create CIs; an existing key fails the import.") var createOnly = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard format != nil || ImportFormat.infer(fromPath: file) != nil else {
                throw ValidationError("cannot tell the format of \(file): give --format csv or --format json")
            }
        }

        func run() async throws {
            typealias Format = Components.Schemas.CIImport.formatPayload
            let format = format ?? ImportFormat.infer(fromPath: file).flatMap(Format.init(rawValue:)) ?? .csv
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            guard data.count <= ImportFormat.maximumBytes else {
                throw CommandFailure("\(file) is \(data.count) bytes; an import takes at most 5 MiB (split the file)", status: .usage)
            }
            guard let content = String(data: data, encoding: .utf8) else { throw CommandFailure("\(file) is not UTF-8 text", status: .usage) }
            let body = Components.Schemas.CIImport(
                format: format, content: content, dryRun: dryRun ? true : nil, createOnly: createOnly ? true : nil)
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.importCIs(headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { result in
                let counts = [result.created.map { "\($0) created" }, result.updated.map { "\($0) updated" }].compactMap { $0 }
                let detail = counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))"
                let verb = result.dryRun == true || dryRun ? "dry run: would import" : "imported"
                let relationships = result.relationshipsAdded == 1 ? "1 relationship" : "\(result.relationshipsAdded) relationships"
                return "\(verb) \(result.items) CIs\(detail); \(relationships) added\n"
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List CIs, ordered by key.")

        @Option(name: .customLong("class"), help: "Only CIs of this class.") var ciClass: Components.Schemas.CIClass?
        @Option(help: "Only CIs at this site.") var site: String?
        @Option(help: "Only CIs whose name contains this text (any case).") var q: String?
        @Option(help: "Page size, 1 to 200 (server default 50).") var limit: Int?
        @Flag(help: "Every page, following the cursor (default: the first page).") var all = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
        }

        func run() async throws {
            let pages = try await APISession.run { session in
                try await Pages.collect(all: all) { cursor in
                    let query = Operations.listCIs.Input.Query(_class: ciClass, site: site, q: q, limit: limit, cursor: cursor)
                    let reply = try await session.call({ try await $0.listCIs(query: query) }, expecting: { try $0.ok.body.json })
                    return (reply, reply.value.nextCursor)
                }
            }
            try pages.emit(output: output, noun: "CIs") { CIText.list(pages.replies.flatMap(\.value.items)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a CI, its attributes and its direct relationships.")

        @Argument(help: "The CI key, e.g. CI-APP-0001.") var key: CIKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getCI(path: .init(ciKey: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: CIText.detail)
        }
    }

    struct Deps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List what a CI depends on (or, with --dependents, what depends on it).")

        @Argument(help: "The CI key.") var key: CIKey
        @Flag(help: "CIs that depend on this one, instead of those it depends on.") var dependents = false
        @Flag(help: "At any depth, not only direct ones.") var transitive = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                if dependents {
                    try await session.call({
                        try await $0.getCIDependents(path: .init(ciKey: key.text), query: .init(transitive: transitive))
                    }, expecting: { try $0.ok.body.json })
                } else {
                    try await session.call({
                        try await $0.getCIDependencies(path: .init(ciKey: key.text), query: .init(transitive: transitive))
                    }, expecting: { try $0.ok.body.json })
                }
            }
            try output.emit(reply) { CIText.list($0.items) }
        }
    }

    struct Impact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the CIs a release's changes affect and everything that depends on them.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getReleaseImpact(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { CIText.list($0.items) }
        }
    }
}
