import Logging
import Synchronization

/// Installs the process's log handler. swift-log accepts one bootstrap per process (a
/// second call traps), so this is guarded: the first call wins and later ones do nothing.
public enum LoggingBootstrap {
    private static let done = Mutex(false)

    /// Sends every logger's output to stderr in `format`, at `level` and above.
    ///
    /// - Returns: false if logging was already bootstrapped (nothing changed).
    @discardableResult
    public static func bootstrap(
        format: LogFormat, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) -> Bool {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        LoggingSystem.bootstrap(
            { label, provider in makeHandler(label: label, format: format, level: level, metadataProvider: provider) },
            metadataProvider: metadataProvider)
        return true
    }

    /// The handler `bootstrap` installs, for code that builds loggers itself.
    public static func makeHandler(
        label: String, format: LogFormat, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .json:
            return JSONLogHandler(label: label, level: level, sink: .standardError, metadataProvider: metadataProvider)
        case .plain:
            // swift-log's plain format, written through the non-blocking sink.
            var handler = StreamLogHandler(
                label: label, stream: LogSinkStream(sink: .standardError), metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        }
    }
}
