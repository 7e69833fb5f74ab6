import Foundation
import Testing

@testable import Contracts

private struct ReleaseCreated: EventContract, Equatable {
    static let messageType = "release.created"
    var key: String
    var title: String
}

private struct CreateRelease: CommandContract {
    typealias Result = ReleaseCreated
    static let messageType = "planning.create_release"
    var title: String
}

@Suite("Contracts: envelope and replies on the wire")
struct ContractCodingTests {
    @Test("an envelope round-trips with ISO-8601 dates carrying fractional seconds")
    func envelopeRoundTrip() throws {
        let occurred = Date(timeIntervalSince1970: 1_795_000_000.25)
        let envelope = Envelope(
            ReleaseCreated(key: "REL-000001", title: "Quarterly 'patch' \\ ✓"),
            correlationId: "REL-000001", actor: "alice", causationId: UUID(), occurredAt: occurred)
        let data = try ContractCoding.encode(envelope)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"type\":\"release.created\""))
        #expect(text.contains(".250Z"))
        let decoded = try ContractCoding.decode(Envelope<ReleaseCreated>.self, from: data)
        #expect(decoded.payload == envelope.payload)
        #expect(decoded.id == envelope.id)
        #expect(decoded.causationId == envelope.causationId)
        #expect(abs(decoded.occurredAt.timeIntervalSince(occurred)) < 0.001)
        #expect(decoded.version == 1)
    }

    @Test("decoders ignore unknown fields, and the header decodes without the payload")
    func unknownFieldsIgnored() throws {
        let json = """
            {"id":"5B1F6D0E-7C1A-4E8B-9A41-2D6C7E3F9A10","type":"release.created","version":1,
             "occurredAt":"2026-11-26T17:00:00Z","correlationId":"REL-000002","actor":"bob",
             "addedLater":{"x":1},"payload":{"key":"REL-000002","title":"t","newField":true}}
            """
        let envelope = try ContractCoding.decode(Envelope<ReleaseCreated>.self, from: Data(json.utf8))
        #expect(envelope.payload.key == "REL-000002")
        let header = try ContractCoding.decode(EnvelopeHeader.self, from: Data(json.utf8))
        #expect(header.type == "release.created")
        #expect(header.causationId == nil)
    }

    @Test("a malformed date is a decoding error, not a crash")
    func badDate() {
        let json = #"{"id":"5B1F6D0E-7C1A-4E8B-9A41-2D6C7E3F9A10","type":"t","version":1,"occurredAt":"yesterday","correlationId":"c","actor":"a"}"#
        #expect(throws: DecodingError.self) { try ContractCoding.decode(EnvelopeHeader.self, from: Data(json.utf8)) }
    }

    @Test("replies carry a result or a typed error")
    func replies() throws {
        let ok = CommandReply<ReleaseCreated>.success(ReleaseCreated(key: "REL-1", title: "x"))
        let decodedOK = try ContractCoding.decode(CommandReply<ReleaseCreated>.self, from: ContractCoding.encode(ok))
        #expect(try decodedOK.get().key == "REL-1")

        for kind in CommandError.Kind.allCases {
            let error = CommandError(kind, "refused", rule: "lifecycle.phase_order", fields: ["title": "required"])
            let reply = CommandReply<ReleaseCreated>.failure(error)
            let decoded = try ContractCoding.decode(CommandReply<ReleaseCreated>.self, from: ContractCoding.encode(reply))
            #expect(throws: error) { try decoded.get() }
        }
        #expect(CreateRelease.routingKey == "planning.create_release")
        #expect(ReleaseCreated.routingKey == "release.created")
    }
}
