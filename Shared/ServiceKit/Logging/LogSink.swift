#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// Where log lines go: a file descriptor (stderr in services) or memory (tests).
///
/// - Logging never blocks on the descriptor: `emit` queues the line and returns; one writer
///   thread per sink does the `write(2)` calls. A stalled reader (a full stderr pipe that
///   nobody drains, a frozen log shipper) stalls only that thread, never a caller holding
///   a connection, a lock or an executor.
/// - The queue is bounded (`capacity` bytes). While it is full, new lines are dropped and
///   counted; once the descriptor drains, a line saying how many were dropped goes out first.
/// - Lines are written whole and in the order they were emitted, so lines from concurrent
///   loggers never interleave.
/// - A process about to exit calls ``flush(timeout:)`` so queued lines are not lost.
public final class LogSink: Sendable {
    private enum Destination {
        case fileDescriptor(Int32)
        case memory
    }

    /// Lines waiting for the writer thread, and what it must report.
    private struct Queue {
        var lines: [[UInt8]] = []
        var bytes = 0
        var dropped = 0
        /// True while the writer thread exists.
        var writerStarted = false
        /// True while the writer sleeps on `wake` (so `emit` must signal it).
        var writerIdle = false
        /// Lines taken by the writer and not yet written.
        var writing = 0
    }

    private let destination: Destination
    private let capacity: Int
    private let queue = Mutex(Queue())
    private let kept = Mutex<[String]>([])
    private let wake = DispatchSemaphore(value: 0)

    private init(_ destination: Destination, capacity: Int) {
        self.destination = destination
        self.capacity = max(1, capacity)
    }

    /// The process's standard error, where services log (stdout stays free for tools' output).
    /// Whatever is queued is flushed (for up to 2 s) when the process calls `exit`.
    public static let standardError: LogSink = {
        let sink = LogSink(.fileDescriptor(2), capacity: defaultCapacity)
        atexit { LogSink.standardError.flush() }
        return sink
    }()

    /// 8 MiB: minutes of ordinary logging, so a reader that pauses briefly loses nothing.
    public static let defaultCapacity = 8 << 20

    /// A sink writing to an open file descriptor it does not own (tests use a file or pipe).
    static func fileDescriptor(_ descriptor: Int32, capacity: Int = defaultCapacity) -> LogSink {
        LogSink(.fileDescriptor(descriptor), capacity: capacity)
    }

    /// A sink that keeps every line in memory, for tests.
    public static func memory() -> LogSink { LogSink(.memory, capacity: defaultCapacity) }

    /// The lines written to a memory sink, without their newline; empty for a descriptor.
    public var lines: [String] { kept.withLock { $0 } }

    /// Queues one line (ending with its newline); never blocks on the descriptor.
    func emit(_ line: [UInt8]) {
        guard case .fileDescriptor = destination else {
            kept.withLock { $0.append(String(decoding: line.dropLast(), as: UTF8.self)) }
            return
        }
        let (signal, start) = queue.withLock { queue -> (Bool, Bool) in
            guard queue.bytes + line.count <= capacity else {
                queue.dropped += 1
                return (false, false)
            }
            queue.lines.append(line)
            queue.bytes += line.count
            let start = !queue.writerStarted
            queue.writerStarted = true
            let signal = queue.writerIdle
            queue.writerIdle = false
            return (signal, start)
        }
        if start {
            Thread.detachNewThread { [self] in writeForever() }
        } else if signal {
            wake.signal()
        }
    }

    /// Waits until every queued line is written, or `timeout` passes (a reader that never
    /// drains must not keep a process from exiting). Returns whether everything went out.
    @discardableResult
    public func flush(timeout: Duration = .seconds(2)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while queue.withLock({ !$0.lines.isEmpty || $0.writing > 0 || $0.dropped > 0 }) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(1_000)
        }
        return true
    }

    /// Lines dropped since the last report (for tests and metrics).
    var droppedLines: Int { queue.withLock { $0.dropped } }

    /// The writer thread: takes everything queued, writes it, sleeps when nothing is left.
    private func writeForever() {
        guard case .fileDescriptor(let descriptor) = destination else { return }
        while true {
            let (lines, dropped) = queue.withLock { queue -> ([[UInt8]], Int) in
                let taken = (queue.lines, queue.dropped)
                queue.lines.removeAll(keepingCapacity: true)
                queue.writing = taken.0.count + (taken.1 > 0 ? 1 : 0)
                queue.bytes = 0
                queue.dropped = 0
                queue.writerIdle = taken.0.isEmpty && taken.1 == 0
                return taken
            }
            if lines.isEmpty && dropped == 0 {
                wake.wait()
                continue
            }
            if dropped > 0 {
                Self.writeAll(Array("log: \(dropped) line(s) dropped: the log reader was not keeping up\n".utf8), to: descriptor)
            }
            for line in lines { Self.writeAll(line, to: descriptor) }
            queue.withLock { $0.writing = 0 }
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

/// Lets swift-log's `StreamLogHandler` (the plain format) write through a ``LogSink``.
struct LogSinkStream: TextOutputStream, Sendable {
    let sink: LogSink

    mutating func write(_ string: String) {
        sink.emit(Array(string.utf8))
    }
}
