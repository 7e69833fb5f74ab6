import Foundation
import Glibc
import Logging
import Synchronization
import Testing

@testable import ServiceKit

@Suite("Log sink: logging never waits for the reader")
struct LogSinkTests {
    /// Reads everything from `descriptor` until EOF, on a thread of its own.
    final class PipeDrain: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let text = Mutex("")

        init(_ descriptor: Int32) {
            Thread.detachNewThread { [self] in
                var collected: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count > 0 { collected += buffer[0..<count] } else if count < 0 && errno == EINTR { continue } else { break }
                }
                text.withLock { $0 = String(decoding: collected, as: UTF8.self) }
                done.signal()
            }
        }

        func wait() -> String {
            done.wait()
            return text.withLock { $0 }
        }
    }

    @Test("a reader that stops reading does not block loggers: lines beyond the bound are dropped and reported once it drains")
    func stalledReader() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        let sink = LogSink.fileDescriptor(writeEnd, capacity: 64 << 10)
        let logger = Logger(label: "stalled") { JSONLogHandler(label: $0, sink: sink) }
        // 20,000 lines of ~200 bytes: far more than the pipe (64 KiB) and the sink (64 KiB) hold.
        let logging = Task.detached {
            for index in 0..<20_000 { logger.info("line \(index) \(String(repeating: "x", count: 120))") }
        }
        // With a blocking sink this never finishes: the pipe is full and nobody reads it.
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await logging.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(30)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(finished, "logging blocked on a pipe nobody reads")
        #expect(sink.droppedLines > 0)

        let drain = PipeDrain(readEnd)
        logger.info("after the stall")
        #expect(sink.flush(timeout: .seconds(30)))
        close(writeEnd)
        let text = drain.wait()
        #expect(text.contains("line(s) dropped: the log reader was not keeping up"))
        #expect(text.contains("after the stall"))
        #expect(text.contains("line 0 "))
    }

    @Test("lines from one logger come out whole and in order")
    func order() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("servicekit-order-\(UUID()).log").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let sink = LogSink.fileDescriptor(descriptor)
        var stream = LogSinkStream(sink: sink)
        for index in 0..<2_000 { stream.write("\(index)\n") }
        #expect(sink.flush(timeout: .seconds(30)))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == (0..<2_000).map(String.init))
    }
}
