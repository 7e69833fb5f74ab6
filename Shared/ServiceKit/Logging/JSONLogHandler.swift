import Foundation
import Logging

/// A swift-log handler writing one JSON object per line:
///
/// ```json
/// {"ts":"2026-11-26T18:24:00.123Z","level":"info","label":"shipboard.planning","message":"phase changed","release.key":"REL-000001"}
/// ```
///
/// `ts` (ISO-8601, UTC, milliseconds), `level`, `label` and `message` come first; then the
/// metadata, sorted by key, every value a string. Nested metadata is flattened into dotted
/// keys (`["release": ["key": "REL-1"]]` becomes `release.key`); arrays are written as text.
/// A metadata key equal to a fixed field is written as `metadata.<key>` instead of
/// overwriting it. Metadata keys should be namespaced: `release.key`, `message.id`.
///
/// Any string (quotes, newlines, control characters, any Unicode) gives a valid line; lines
/// are written whole through a ``LogSink``. Tests build a handler on ``LogSink/memory()``
/// instead of bootstrapping swift-log, which accepts one bootstrap per process.
public struct JSONLogHandler: LogHandler {
    /// The least severe level written.
    public var logLevel: Logger.Level
    /// Metadata attached to every line from this logger.
    public var metadata: Logger.Metadata = [:]
    /// Metadata from the task context (e.g. a trace id), merged below the logger's own.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    /// A handler for loggers named `label`, writing to `sink`.
    public init(
        label: String, level: Logger.Level = .info, sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Later sources win: provider, then the logger's metadata, then the call's.
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        merged.merge(event.metadata ?? [:]) { _, new in new }

        var line = JSONLine()
        line.append("ts", Self.timestamp(Date()))
        line.append("level", event.level.rawValue)
        line.append("label", label)
        line.append("message", event.message.description)
        var fields: [(key: String, value: String)] = []
        Self.flatten(merged, prefix: "", into: &fields)
        for field in fields.sorted(by: { $0.key < $1.key }) {
            line.append(Self.fixedFields.contains(field.key) ? "metadata.\(field.key)" : field.key, field.value)
        }
        sink.emit(line.finished())
    }

    /// The fields every line starts with; metadata may not overwrite them.
    static let fixedFields: Set<String> = ["ts", "level", "label", "message"]

    /// `2026-11-26T18:24:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Metadata as `(dotted.key, text)` pairs.
    static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(key: String, value: String)]) {
        for (key, value) in metadata {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case .dictionary(let nested): flatten(nested, prefix: name, into: &fields)
            case .string(let text): fields.append((name, text))
            case .stringConvertible(let convertible): fields.append((name, convertible.description))
            case .array: fields.append((name, value.description))
            }
        }
    }
}
