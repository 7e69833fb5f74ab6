import ArgumentParser
import CLICore
import Foundation
import GatewayAPI
import OpenAPIRuntime

extension ReleaseCommand {
    /// `release watch KEY`: follows the release's event stream, one status line per event,
    /// until the release is finished (rejected, cancelled, backed out or completed).
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a release until it is finished, one status line per change.",
            discussion: """
                On a terminal the line is redrawn in place; piped, each change is a new line; with \
                --output json each change is the release as one JSON object per line. A dropped \
                connection is resumed from the last event seen. While the release has a rollout, \
                its progress follows the status line with a bar per site (not with --output json). \
                Exits 0 once the release is rejected, cancelled, backed out or completed, or with \
                --until-rollout-ends once its rollout has completed, halted, been backed out or aborted.
                """)

        @Argument(help: "The release key.") var key: ReleaseKey
        @Flag(help: "Stop once the release's rollout has ended (completed, halted, backed out or aborted).")
        var untilRolloutEnds = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let redraw = StatusLineRedraw(isTerminal: !output.json && Console.stdoutIsTerminal, columns: Console.terminalColumns)
            // Reads may be far apart while nothing happens; a dead connection still surfaces
            // within the timeout and is resumed.
            try await APISession.run(readTimeout: .minutes(5)) { session in
                var follower = ReleaseEventFollower(
                    key: key.text, json: output.json, untilRolloutEnds: untilRolloutEnds, redraw: redraw, session: session)
                try await follower.follow()
            }
        }
    }
}

/// The state of one `release watch`: the last event id (for `Last-Event-ID`), the last line
/// drawn, and how many connection attempts in a row failed.
struct ReleaseEventFollower {
    static let backoffSeconds = [1, 2, 4, 8, 8, 8]

    let key: String
    let json: Bool
    let untilRolloutEnds: Bool
    let redraw: StatusLineRedraw
    let session: APISession
    var lastEventID: String?
    var lastLine: String?
    var failures = 0
    /// The rollout's lines under the status line (none until a `rollout` event came), and
    /// the block they are redrawn in.
    var rolloutLines: [String] = []
    lazy var frame = RolloutWatchFrame(redraw: redraw)

    mutating func follow() async throws {
        while true {
            do {
                let stream = try await session.call({ [key, lastEventID] in
                    try await $0.getReleaseEvents(path: .init(key: key), headers: .init(Last_hyphen_Event_hyphen_ID: lastEventID))
                }, expecting: { try $0.ok.body.text_event_hyphen_stream })
                failures = 0
                if try await read(stream.value) { return }
                // The server ends the stream once the release is finished: if that event was
                // missed, the release itself says so.
                if try await finishedOnServer() { return }
                try await Task.sleep(for: .seconds(1))
            } catch let failure as CommandFailure where !failure.noAnswer {
                throw failure
            } catch {
                try await pause(after: error)
            }
        }
    }

    /// Reads events until the stream ends; true once the release is finished.
    private mutating func read(_ stream: HTTPBody) async throws -> Bool {
        for try await event in stream.asDecodedServerSentEvents() {
            if event.event == "rollout", let data = event.data, let status = RolloutBoard.status(from: Data(data.utf8)) {
                if !json {
                    rolloutLines = RolloutBoard.watchLines(status, width: redraw.columns - 1)
                    if let lastLine { Console.out(frame.frame([lastLine] + rolloutLines)) }
                }
                if untilRolloutEnds, RolloutBoard.hasEnded(status) {
                    if !json { Console.out(frame.finish + "\(key) rollout ended: \(status.state)\n") }
                    return true
                }
                continue
            }
            guard event.event == nil || event.event == "release", let data = event.data, !data.isEmpty else { continue }
            // A resumed stream may start with the state already drawn.
            if let id = event.id, id == lastEventID, lastLine != nil { continue }
            if let id = event.id { lastEventID = id }
            if try await show(Data(data.utf8)) { return true }
        }
        return false
    }

    /// Draws one event; true when its release is finished (then also the final line).
    private mutating func show(_ data: Data) async throws -> Bool {
        let release: Components.Schemas.Release
        do {
            release = try Self.decoder.decode(Components.Schemas.Release.self, from: data)
        } catch {
            throw CommandFailure("an event of \(key) could not be read: \(error)")
        }
        let (phase, status) = (release.phase.rawValue, release.status.rawValue)
        if json {
            Console.out((try? JSONText.compact(data)) ?? String(decoding: data, as: UTF8.self))
            Console.out("\n")
        } else {
            let line = ReleaseProgress.statusLine(
                key: release.key, phase: phase, status: status, inProgress: await tasksInProgress(), width: redraw.columns)
            Console.out(frame.frame([line] + rolloutLines))
            lastLine = line
        }
        guard ReleaseProgress.isTerminal(status: status) else { return false }
        if !json { Console.out(frame.finish + "\(release.key) finished: \(status)\n") }
        return true
    }

    private mutating func finishedOnServer() async throws -> Bool {
        let reply = try await session.call({ [key] in try await $0.getRelease(path: .init(key: key)) }, expecting: { try $0.ok.body.json })
        guard ReleaseProgress.isTerminal(status: reply.value.status.rawValue), let body = reply.body else { return false }
        return try await show(body)
    }

    /// The keys of the release's tasks in progress; none when it has no work plan (or the
    /// plan cannot be read just now: the status line matters more than the tasks).
    private func tasksInProgress() async -> [String] {
        let reply = try? await session.call({ [key] in try await $0.getWorkPlan(path: .init(key: key)) },
                                            expecting: { try $0.ok.body.json })
        return reply?.value.tasks.filter { $0.state == .in_progress }.map(\.key) ?? []
    }

    /// After a failed connection or a dropped stream: wait longer each time in a row, give
    /// up (exit 1) after the last step.
    private mutating func pause(after error: any Error) async throws {
        guard failures < Self.backoffSeconds.count else {
            if let lastLine, redraw.isTerminal { Console.out(frame.frame([lastLine] + rolloutLines) + frame.finish) }
            throw (error as? CommandFailure) ?? CommandFailure.unreachable(session.server, error)
        }
        if let lastLine, redraw.isTerminal { Console.out(frame.frame([lastLine + "  (reconnecting…)"] + rolloutLines)) }
        try await Task.sleep(for: .seconds(Self.backoffSeconds[failures]))
        failures += 1
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try LenientDateTranscoder().decode(text)
        }
        return decoder
    }()
}
