import Foundation
import Logging
import Testing

@testable import ServiceKit

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    static let hostile =
        "quote \" backslash \\ newline \n cr \r tab \t nul \u{0} bell \u{7} esc \u{1B}[31m del \u{7F} "
        + "emoji 🚢 rtl \u{202E} ls \u{2028} combining e\u{301} }{\"],"

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("hostile messages, labels and metadata still give one valid JSON object per line")
    func hostileStrings() throws {
        let sink = LogSink.memory()
        var logger = Logger(label: "test \(Self.hostile)") { JSONLogHandler(label: $0, sink: sink) }
        logger[metadataKey: "release.key"] = "REL-000001"
        logger.info("\(Self.hostile)", metadata: ["message.id": "\(Self.hostile)", "\(Self.hostile)": "key too"])
        #expect(sink.lines.count == 1)
        let line = try #require(sink.lines.first)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}") && !line.contains("\u{0}"))
        let fields = try Self.object(line)
        #expect(fields["message"] as? String == Self.hostile)
        #expect(fields["message.id"] as? String == Self.hostile)
        #expect(fields[Self.hostile] as? String == "key too")
        #expect(fields["label"] as? String == "test \(Self.hostile)")
        #expect(fields["release.key"] as? String == "REL-000001")
        #expect(fields["level"] as? String == "info")
    }

    @Test("fixed fields first; ts is ISO-8601 UTC with milliseconds")
    func fixedFields() throws {
        let sink = LogSink.memory()
        let logger = Logger(label: "shipboard.test") { JSONLogHandler(label: $0, sink: sink) }
        let before = Date()
        logger.warning("hello", metadata: ["b": "2", "a": "1"])
        let line = try #require(sink.lines.first)
        #expect(line.hasPrefix(#"{"ts":""#))
        #expect(line.hasSuffix(#","level":"warning","label":"shipboard.test","message":"hello","a":"1","b":"2"}"#))
        let ts = try #require(try Self.object(line)["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(ts)")
        let parsed = try Date(ts, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(abs(parsed.timeIntervalSince(before)) < 5)
    }

    @Test("metadata from provider, logger and call merge, nested values flatten to dotted string fields")
    func metadata() throws {
        let sink = LogSink.memory()
        let provider = Logger.MetadataProvider { ["trace.id": "abc", "release.key": "from-provider"] }
        var logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: sink, metadataProvider: provider) }
        logger[metadataKey: "release.key"] = "REL-1"
        logger.info(
            "m",
            metadata: [
                "rollout": ["id": "R-9", "wave": .stringConvertible(3)], "targets": ["a", "b"], "message": "clash",
                "attempt": .stringConvertible(2),
            ])
        let fields = try Self.object(try #require(sink.lines.first))
        #expect(fields["trace.id"] as? String == "abc")
        #expect(fields["release.key"] as? String == "REL-1")
        #expect(fields["rollout.id"] as? String == "R-9")
        #expect(fields["rollout.wave"] as? String == "3")
        #expect(fields["attempt"] as? String == "2")
        #expect(fields["targets"] as? String == #"["a", "b"]"#)
        #expect(fields["message"] as? String == "m")
        #expect(fields["metadata.message"] as? String == "clash")
        #expect(fields.values.allSatisfy { $0 is String })
    }

    @Test("lines below the handler's level are not written")
    func levels() {
        let sink = LogSink.memory()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, level: .warning, sink: sink) }
        logger.info("skipped")
        logger.debug("skipped")
        logger.error("kept")
        #expect(sink.lines.count == 1)
    }

    @Test("many tasks logging at once never interleave lines, in memory or through a file descriptor")
    func concurrentWriters() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("servicekit-log-\(UUID()).jsonl").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let memory = LogSink.memory()
        let file = LogSink.fileDescriptor(descriptor)
        let long = String(repeating: "x\u{0}\"🚢", count: 800)  // 10 kB lines, past PIPE_BUF
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for sink in [memory, file] {
                        let logger = Logger(label: "w\(writer)") { JSONLogHandler(label: $0, sink: sink) }
                        for index in 0..<50 { logger.info("\(long)", metadata: ["n": "\(index)"]) }
                    }
                }
            }
        }
        #expect(file.flush(timeout: .seconds(30)))
        let written = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(written.last == "")
        for lines in [memory.lines, written.dropLast().map(String.init)] {
            #expect(lines.count == 400)
            for line in lines { #expect(try Self.object(line)["message"] as? String == long) }
        }
    }

    @Test("logging bootstraps once; later calls change nothing")
    func bootstrapOnce() {
        // The first call in this process installs JSON at critical, which also keeps the other
        // tests' loggers quiet; no other test bootstraps logging.
        LoggingBootstrap.bootstrap(format: .json, level: .critical)
        #expect(!LoggingBootstrap.bootstrap(format: .plain, level: .trace))
        #expect(Logger(label: "t").logLevel == .critical)
    }
}
