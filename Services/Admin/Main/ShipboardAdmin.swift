import ArgumentParser
import ServiceKit
import Foundation

/// `shipboard-admin`: operator commands against a service's database.
///
/// Environment: `SHIPBOARD_DATABASE_URL` (`postgres://user:password@host:port/database`; the
/// service role is enough). Exit status: 0 done, 1 the command failed (e.g. no such failed
/// row, database unreachable), 2 a missing or invalid setting, 64 a usage error. Messages
/// never contain the password.
@main
struct ShipboardAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shipboard-admin",
        abstract: "Operator commands for Shipboard services.",
        version: ShipboardVersion.current,
        subcommands: [OutboxCommand.self])

    /// Parses and runs like ArgumentParser's own `main`, but gives `AdminFailure` its exit status.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as AdminFailure {
            FileHandle.standardError.write(Data("shipboard-admin: error: \(failure.description)\n".utf8))
            Foundation.exit(failure.status)
        } catch {
            exit(withError: error)
        }
    }
}
