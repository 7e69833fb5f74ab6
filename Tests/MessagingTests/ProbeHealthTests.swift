import Contracts
import Foundation
import Glibc
import Messaging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("A service's health and metrics endpoint, as a separate process")
struct ProbeHealthTests {
    /// A port nothing listens on right now (bind to 0, read it back, close).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MessagingTestError("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw MessagingTestError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GET with a 5 s limit (a stuck probe fails the check instead of stalling the test).
    static func get(_ url: String) async -> (Int, String)? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test("ready once PostgreSQL and RabbitMQ are connected; metrics count handled messages; JSON logs")
    func healthAndMetrics() async throws {
        let fixture = try await MessagingFixture.make("health")
        let port = try Self.freePort()
        try await withAMQP(topology: fixture.topology()) { client in
            let probe = try ProbeProcess(fixture: fixture, environment: [
                "SHIPBOARD_HTTP_PORT": "\(port)", "SHIPBOARD_LOG_FORMAT": "json",
            ])
            let base = "http://127.0.0.1:\(port)"
            #expect(await eventually(timeout: .seconds(20)) { await Self.get("\(base)/health/ready")?.0 == 200 })
            #expect(await Self.get("\(base)/health/live")?.0 == 200)
            let envelope = Envelope(Recorded(value: "counted"), correlationId: "REL-1", actor: "test")
            try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
            #expect(try await eventually { try await fixture.effectCount() == 1 })
            let metrics = await Self.get("\(base)/metrics")
            #expect(metrics?.1.contains("shipboard_messages_total{") == true)
            #expect(metrics?.1.contains(#"outcome="handled""#) == true)
            probe.signal(SIGTERM)
            #expect(try await probe.waitForExit() == 0)
            let logs = probe.standardError().split(separator: "\n")
            #expect(!logs.isEmpty)
            #expect(logs.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        }
        await fixture.drop()
    }
}
