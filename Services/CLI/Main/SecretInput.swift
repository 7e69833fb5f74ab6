import Foundation

/// Reads a secret (a token, a password) from a file or stdin, never from an argument, which
/// would land in shell history and in `ps`. On a terminal the prompt goes to stderr and the
/// typing is not echoed.
enum SecretInput {
    static func read(prompt: String, file: String? = nil) throws -> String {
        let text: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            text = String(data: data, encoding: .utf8)?.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } else if Console.stdinIsTerminal {
            text = readWithoutEcho(prompt: prompt)
        } else {
            text = readLine(strippingNewline: true)
        }
        let secret = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard !secret.isEmpty else {
            throw CommandFailure("nothing to read: give it on stdin\(file == nil ? "" : " or in the file")", status: .usage)
        }
        return secret
    }

    private static func readWithoutEcho(prompt: String) -> String? {
        Console.err(prompt)
        var saved = termios()
        let canRestore = tcgetattr(STDIN_FILENO, &saved) == 0
        if canRestore {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if canRestore { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            Console.err("\n")
        }
        return readLine(strippingNewline: true)
    }
}
