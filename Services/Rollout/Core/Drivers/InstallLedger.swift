import Foundation
import Glibc
import Scripts

/// The `local` driver's record of every install that completed (install and verify passed):
/// one line per install in `<targets root>/.installs/<CI key>`, so a test can prove that no
/// rollout task was installed twice to completion, whatever replicas died on the way.
///
/// - Appended with one `write(2)` of a short line to a file opened `O_APPEND`: lines from
///   replicas writing at once never interleave.
/// - Written after the scripts succeeded: a replica killed between install and record
///   leaves no line, and the retry's install (a new attempt) is the one recorded.
/// - Outside every target's folder (a CI key never starts with a dot), so a script never
///   sees it and backing out restores the target's folder exactly.
public struct InstallLedger: Sendable {
    /// One completed install.
    public struct Entry: Sendable, Equatable {
        public var rolloutID: String
        public var taskKey: String
        public var attempt: Int
        public var sha256: String

        public init(rolloutID: String, taskKey: String, attempt: Int, sha256: String) {
            self.rolloutID = rolloutID
            self.taskKey = taskKey
            self.attempt = attempt
            self.sha256 = sha256
        }
    }

    public let folder: String

    public init(targetsRoot: String) {
        folder = (targetsRoot as NSString).appendingPathComponent(".installs")
    }

    /// Records `attempt` as installed. Blocking: call it off the cooperative pool.
    public func record(_ attempt: DeployAttempt) throws(DeployDriverError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .io("the install ledger folder cannot be made")
        }
        // Tabs separate the fields: the rules refuse control characters in every one of them.
        let line = "\(attempt.rolloutID)\t\(attempt.taskKey)\t\(attempt.attempt)\t\(attempt.image.sha256)\n"
        let descriptor = open(path(of: attempt.target.ciKey), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("the install ledger cannot be opened (errno \(errno))") }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw .io("the install ledger cannot be written (errno \(errno))") }
    }

    /// The completed install of `attempt`'s rollout task on its target, if one is recorded:
    /// the target-side half of the attempt's idempotency key. A replica killed after the
    /// install but before the database heard of it leaves this line; the retry then
    /// reports the install done instead of installing again.
    public func completed(_ attempt: DeployAttempt) -> Entry? {
        entries(ciKey: attempt.target.ciKey).first { $0.rolloutID == attempt.rolloutID && $0.taskKey == attempt.taskKey }
    }

    /// The completed installs on target `ciKey`, oldest first.
    public func entries(ciKey: String) -> [Entry] {
        guard let text = try? String(contentsOfFile: path(of: ciKey), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let attempt = Int(fields[2]) else { return nil }
            return Entry(rolloutID: fields[0], taskKey: fields[1], attempt: attempt, sha256: fields[3])
        }
    }

    private func path(of ciKey: String) -> String {
        (folder as NSString).appendingPathComponent(ciKey)
    }
}

extension InstallLedger {
    /// The outcome of a deploy whose rollout task the ledger already records completed, or
    /// nil: such a deploy is not run again.
    static func alreadyInstalled(_ attempt: DeployAttempt, _ ledger: InstallLedger) async -> DeployOutcome? {
        guard let entry = ledger.completed(attempt) else { return nil }
        let note = "already installed by attempt \(entry.attempt) of this rollout task (recorded in the install ledger): nothing done\n"
        return .success([.init(script: "install.sh", outcome: ProcessOutcome(ending: .exited(0), output: note, droppedBytes: 0, duration: .zero))])
    }
}
