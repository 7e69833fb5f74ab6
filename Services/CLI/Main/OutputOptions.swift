import ArgumentParser
import CLICore
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// `--output table|json`, taken by every command.
struct OutputOptions: ParsableArguments {
    @Option(help: "table (default): for people, fits 80 columns; json: the API's answer as it came, pretty, keys sorted.")
    var output: OutputFormat = .table

    var json: Bool { output == .json }

    /// Prints the reply: its body as JSON, or the table `render` makes of its value.
    func emit<Value>(_ reply: Reply<Value>, table render: (Value) -> String) throws {
        if json {
            try Console.printJSON(reply.body)
        } else {
            Console.out(render(reply.value))
        }
    }
}

/// Writes to stdout and stderr. Table text ends in a newline already; JSON gets one.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func printJSON(_ body: Data?) throws {
        guard let body, !body.isEmpty else { return }
        do {
            out(try JSONText.pretty(body) + "\n")
        } catch {
            throw CommandFailure("the server's answer is not JSON")
        }
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// The terminal's width for a redrawn status line (80 when it cannot be asked).
    static var terminalColumns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return TextTable.standardWidth }
        return Int(size.ws_col)
    }
}
