import Foundation
import Logging
import Testing

@testable import ServiceKit

@Suite("JSON log lines")
struct LoggingTests {
    @Test("hostile messages and metadata still give one valid JSON object per line")
    func hostileStrings() throws {
        let sink = LogSink.memory()
        var logger = Logger(label: "test") { JSONLogHandler(label: $0, sink: sink) }
        logger[metadataKey: "release.key"] = "REL-000001"
        let hostile = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} emoji 🚢 rtl \u{202E}"
        logger.info("\(hostile)", metadata: ["message.id": "\(hostile)"])
        logger.warning("second")
        #expect(sink.written.count == 2)
        for line in sink.written {
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
        }
        let first = try #require(try JSONSerialization.jsonObject(with: sink.written[0]) as? [String: String])
        #expect(first["message"] == hostile)
        #expect(first["message.id"] == hostile)
        #expect(first["release.key"] == "REL-000001")
        #expect(first["level"] == "info")
        #expect(first["ts"]?.contains("T") == true)
    }
}
