#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// Where log lines go: a file descriptor (stderr in services) or memory (tests).
///
/// Invariant: a line is written whole while holding the sink's lock, so lines from
/// concurrent loggers never interleave, however long they are.
public final class LogSink: Sendable {
    private enum Destination {
        case fileDescriptor(Int32)
        case memory
    }

    private let destination: Destination
    /// Lines kept by a memory sink; the lock that serializes writes to a descriptor too.
    private let kept = Mutex<[String]>([])

    private init(_ destination: Destination) {
        self.destination = destination
    }

    /// The process's standard error, where services log (stdout stays free for tools' output).
    public static let standardError = LogSink(.fileDescriptor(2))

    /// A sink writing to an open file descriptor it does not own (tests use a file).
    static func fileDescriptor(_ descriptor: Int32) -> LogSink { LogSink(.fileDescriptor(descriptor)) }

    /// A sink that keeps every line in memory, for tests.
    public static func memory() -> LogSink { LogSink(.memory) }

    /// The lines written to a memory sink, without their newline; empty for a descriptor.
    public var lines: [String] { kept.withLock { $0 } }

    /// Writes one line; `line` ends with its newline.
    func emit(_ line: [UInt8]) {
        kept.withLock { lines in
            switch destination {
            case .fileDescriptor(let descriptor):
                Self.writeAll(line, to: descriptor)
            case .memory:
                lines.append(String(decoding: line.dropLast(), as: UTF8.self))
            }
        }
    }

    /// `write(2)` until every byte is out, retrying on EINTR. Other errors drop the line:
    /// a service must not stop because its log pipe closed.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, start + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
