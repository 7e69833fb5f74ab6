import CLICore
import Foundation
import Testing

@Suite("CLI JSON output")
struct JSONTextTests {
    let body = Data(#"{"status":"in_progress","key":"REL-000001","version":7,"gate":null,"ok":true,"url":"a/b","unknownField":[1,2]}"#.utf8)

    @Test("pretty with sorted keys, values as the server sent them (a field unknown here too)")
    func pretty() throws {
        let text = try JSONText.pretty(body)
        #expect(text.contains("\"unknownField\""))
        #expect(text.contains("\"ok\" : true") && text.contains("\"version\" : 7") && text.contains("\"gate\" : null"))
        #expect(text.contains("\"a/b\""))
        let keys = ["gate", "key", "ok", "status", "unknownField", "url", "version"]
        let positions = keys.compactMap { text.range(of: "\"\($0)\"")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
    }

    @Test("compact is one line")
    func compact() throws {
        let line = try JSONText.compact(body)
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"gate":null,"key":"REL-000001","ok":true"#))
    }

    @Test("pages merge into one items list, in order")
    func merged() throws {
        let pages = [Data(#"{"items":[{"k":1},{"k":2}],"nextCursor":"c"}"#.utf8), Data(#"{"items":[{"k":3}]}"#.utf8)]
        #expect(try JSONText.compact(JSONText.mergedItems(pages: pages)) == #"{"items":[{"k":1},{"k":2},{"k":3}]}"#)
        #expect(throws: JSONText.NotJSON.self) { try JSONText.pretty(Data("<html>".utf8)) }
    }
}
