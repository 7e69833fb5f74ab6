import Contracts
import Foundation
import Testing

private struct Ping: CommandContract, Equatable {
    typealias Result = Acknowledged
    static let messageType = "test.ping"
    var value: Int
}

@Suite("Contracts: the envelope's deadline")
struct EnvelopeDeadlineTests {
    @Test("a deadline is encoded only when set, round-trips, and the header carries it")
    func deadlineRoundTrip() throws {
        let without = String(decoding: try ContractCoding.encode(
            Envelope(Ping(value: 1), correlationId: "REL-000001", actor: "alice")), as: UTF8.self)
        #expect(!without.contains("deadline"))

        let deadline = Date(timeIntervalSince1970: 1_795_000_010.5)
        let data = try ContractCoding.encode(
            Envelope(Ping(value: 1), correlationId: "REL-000001", actor: "alice", deadline: deadline))
        #expect(String(decoding: data, as: UTF8.self).contains(#""deadline":"2026-11-18T"#))
        let envelope = try ContractCoding.decode(Envelope<Ping>.self, from: data)
        let header = try ContractCoding.decode(EnvelopeHeader.self, from: data)
        #expect(abs(try #require(envelope.deadline).timeIntervalSince(deadline)) < 0.001)
        #expect(abs(try #require(header.deadline).timeIntervalSince(deadline)) < 0.001)
        #expect(header.isPastDeadline(at: deadline.addingTimeInterval(0.001)))
        #expect(!header.isPastDeadline(at: deadline.addingTimeInterval(-1)))
        // No deadline: the sender waits as long as it likes, so it is never past.
        #expect(!(try ContractCoding.decode(EnvelopeHeader.self, from: Data(without.utf8))).isPastDeadline(at: .distantFuture))
    }
}
