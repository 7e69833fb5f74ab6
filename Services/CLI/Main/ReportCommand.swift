import ArgumentParser
import CLICore
import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `shipboard report KEY` and `shipboard report portfolio`: the release status report and the
/// portfolio of a range of days, as printable HTML or CSV, on stdout or into a file.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Release status reports and the release portfolio, as HTML or CSV.",
        subcommands: [Release.self, Portfolio.self], defaultSubcommand: Release.self)

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One release's status report: tasks, approvals, rollout results per target, notifications, audit summary.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var destination: ReportDestination

        func run() async throws {
            let format = destination.format
            try await destination.fetch({
                try await $0.getReleaseReport(path: .init(key: key.text), query: .init(format: .init(rawValue: format.rawValue)))
            }, body: { try format == .csv ? $0.ok.body.csv : $0.ok.body.html })
        }
    }

    struct Portfolio: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every release whose schedule overlaps the days FROM to TO (UTC, at most 366 days), with progress and rollout counts.")

        @Option(help: "First day, YYYY-MM-DD.") var from: String
        @Option(help: "Last day, YYYY-MM-DD.") var to: String
        @OptionGroup var destination: ReportDestination

        func run() async throws {
            let format = destination.format
            try await destination.fetch({
                try await $0.getPortfolioReport(query: .init(from: from, to: to, format: .init(rawValue: format.rawValue)))
            }, body: { try format == .csv ? $0.ok.body.csv : $0.ok.body.html })
        }
    }
}

/// Where a report goes: stdout, or a new file (`--force` replaces one that exists).
struct ReportDestination: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, csv
    }

    @Option(help: "html (a printable page) or csv (one file, a section column first).") var format: Format = .html
    @Option(name: .shortAndLong, help: "Write the report to this file instead of stdout.") var output: String?
    @Flag(help: "Replace --output if it exists.") var force = false

    /// Asks for the report (after refusing an existing file without `--force`, before anything
    /// is asked of the server) and writes its body out.
    func fetch<Output: Sendable>(_ operation: (Client) async throws -> Output, body: (Output) throws -> HTTPBody) async throws {
        try refuseExisting()
        let reply = try await APISession.run { session in try await session.call(operation, expecting: body) }
        try await emit(reply.value)
    }

    func refuseExisting() throws {
        guard let output, !force, FileManager.default.fileExists(atPath: output) else { return }
        throw CommandFailure("\(output) exists; give --force to replace it")
    }

    /// A report is a few megabytes at most (10,000 targets); more is refused, not cut.
    static let maxBytes = 256 * 1_024 * 1_024

    func emit(_ body: HTTPBody) async throws {
        let text = try await String(collecting: body, upTo: Self.maxBytes)
        guard let output else { return Console.out(text) }
        do {
            // Without --force the file is created exclusively: one made since the check is not replaced either.
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: force ? [.atomic] : [.withoutOverwriting])
        } catch {
            throw CommandFailure("cannot write \(output): \((error as NSError).localizedDescription)")
        }
        Console.out("wrote \(output)\n")
    }
}
