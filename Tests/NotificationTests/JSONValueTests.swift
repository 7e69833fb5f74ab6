import Contracts
import Foundation
import Testing

/// Events notify keeps without their contract round-trip unchanged.
@Suite struct JSONValueTests {
    @Test func anEventPayloadRoundTrips() throws {
        let text = #"{"releaseKey":"REL-1","n":2.5,"ok":true,"none":null,"list":["a",{"b":1}]}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["releaseKey"]?.string == "REL-1")
        #expect(value["ok"] == .bool(true))
        #expect(value["none"] == .null)
        #expect(value["list"] == .array([.string("a"), .object(["b": .number(1)])]))
        let again = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
        #expect(again == value)
    }
}
