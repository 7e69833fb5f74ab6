import ArgumentParser
import CLICore
import Foundation

/// `shipboard`: the release manager's command line over the gateway's HTTP API.
@main
struct Shipboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shipboard",
        abstract: "Plan, approve and follow releases on a Shipboard server.",
        discussion: """
            Settings: SHIPBOARD_URL and SHIPBOARD_TOKEN, else the file `shipboard login` writes \
            ($SHIPBOARD_CONFIG, else ~/.config/shipboard/credentials).

            Exit status: 0 done; 1 failed (a 400, a 5xx, a 504, no connection); 2 usage (bad \
            arguments, no settings); 3 refused (401, 403); 4 not found (404); 5 conflict (409, \
            e.g. the release moved on since it was read).
            """,
        version: CLIVersion.current,
        subcommands: [
            Login.self, Whoami.self, ReleaseCommand.self, ChangeCommand.self, CICommand.self, TemplateCommand.self,
            GroupCommand.self, ExitCriteriaCommand.self, AuditCommand.self, UserCommand.self, PlanCommand.self, TaskCommand.self,
            FreezeCommand.self, CalendarCommand.self, ImageCommand.self, TestCommand.self, DMLCommand.self, RolloutCommand.self,
            NotifyCommand.self, ReportCommand.self,
        ])

    /// Parses and runs like ArgumentParser's own `main`, with this tool's exit statuses:
    /// a failed command is one `shipboard: …` line on stderr; `--help` and `--version` print
    /// and succeed; anything ArgumentParser refuses (a parse or validation error) prints its
    /// message with the usage line and exits 2, not its 64.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            Console.err(ErrorLine.render(failure.description) + "\n")
            Foundation.exit(failure.status.rawValue)
        } catch {
            switch exitCode(for: error) {
            case .success:
                Console.out(fullMessage(for: error) + "\n")
                Foundation.exit(CLIExitStatus.ok.rawValue)
            case .validationFailure:
                Console.err(fullMessage(for: error) + "\n")
                Foundation.exit(CLIExitStatus.usage.rawValue)
            case let code where error is ExitCode:
                Foundation.exit(code.rawValue)
            default:
                Console.err(ErrorLine.render(String(describing: error)) + "\n")
                Foundation.exit(CLIExitStatus.failure.rawValue)
            }
        }
    }
}
