import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line:
/// `{"ts":"…","level":"info","label":"…","message":"…","release.key":"REL-000001",…}`.
///
/// Every string goes through `JSONSerialization`, so quotes, newlines and control
/// characters in messages or metadata never break a line. Lines are written whole under
/// a lock, so concurrent loggers never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink = .standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadataProvider?.get() ?? [:] { fields[key] = "\(value)" }
        for (key, value) in metadata { fields[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        fields["ts"] = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        sink.write(line)
    }
}

/// Where log lines go: stderr, or memory (tests). Writes are serialized.
public final class LogSink: Sendable {
    private let lines = Mutex<[Data]>([])
    private let toStandardError: Bool

    private init(toStandardError: Bool) {
        self.toStandardError = toStandardError
    }

    public static let standardError = LogSink(toStandardError: true)

    /// A sink that keeps lines in memory.
    public static func memory() -> LogSink { LogSink(toStandardError: false) }

    func write(_ line: Data) {
        lines.withLock { stored in
            if toStandardError {
                FileHandle.standardError.write(line)
            } else {
                stored.append(line)
            }
        }
    }

    /// Lines written to a memory sink.
    public var written: [Data] { lines.withLock { $0 } }
}
