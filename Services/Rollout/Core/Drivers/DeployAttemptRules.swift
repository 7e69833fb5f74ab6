import Contracts
import Images

/// What an attempt must be before any driver acts on it: its texts become a script's
/// environment and the CI key a folder's name (`local`) or part of a remote path (`ssh`),
/// so a hostile value (NUL, a slash, `..`, 300 characters) is refused here, once, and the
/// attempt fails with the reason instead of reaching a script.
public enum DeployAttemptRules {
    /// The longest CI key (planning allows `CI-` + 12 + `-` + 8 characters; room to spare).
    public static let maxCIKey = 64

    /// The first problem with `attempt`, worded for a person; nil when it may run.
    public static func problem(_ attempt: DeployAttempt) -> String? {
        if !isFolderName(attempt.target.ciKey) {
            return "the target's CI key must be 1 to \(maxCIKey) letters, digits, '-', '_' or '.', starting with a letter or digit"
        }
        if ImageDigest(attempt.image.sha256) == nil { return "the image's SHA-256 must be 64 lowercase hex digits" }
        guard attempt.attempt >= 1 else { return "the attempt number must be 1 or more" }
        let texts = [
            ("site", attempt.target.site, 100), ("rollout id", attempt.rolloutID, 100), ("task key", attempt.taskKey, 100), ("image name", attempt.image.name, 100),
            ("image version", attempt.image.version, 50), ("release key", attempt.image.releaseKey, 50),
        ]
        for (field, value, max) in texts {
            if let problem = ShortText.problem(value, max: max) { return "the \(field) \(problem)" }
        }
        return nil
    }

    /// ASCII letters, digits, `-`, `_`, `.`, starting with a letter or digit: safe as one path
    /// component anywhere (never `..`, never hidden, so never the drivers' own `.installs`).
    static func isFolderName(_ value: String) -> Bool {
        guard (1...maxCIKey).contains(value.utf8.count), let first = value.utf8.first, isAlphanumeric(first) else { return false }
        return value.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// An ASCII letter or digit.
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
