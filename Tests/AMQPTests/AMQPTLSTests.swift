import Foundation
import Testing

@testable import AMQP

@Suite("AMQP over TLS")
struct AMQPTLSTests {
    @Test("amqps:// connects through rabbitmq-c's SSL socket and verifies the broker's certificate")
    func tlsRoundTrip() async throws {
        let config = try AMQPConfiguration(url: TestEnvironment.url("SHIPBOARD_TEST_AMQPS_URL"))
        #expect(config.tls?.verifyPeer == true)
        let name = uniqueName("tls")
        let connection = try await AMQPConnection.connect(config)
        try await connection.declare(.testRoute(name))
        try await connection.publish(message(name, "over tls"))
        #expect(try await connection.queueCounts("\(name).q").messages == 1)
        try await connection.deleteQueue("\(name).q")
        await connection.close()
    }

    @Test("a broker certificate that does not match the CA is refused")
    func untrustedCertificate() async throws {
        var config = try AMQPConfiguration(url: TestEnvironment.url("SHIPBOARD_TEST_AMQPS_URL"))
        // Any PEM file that is not the issuing CA: the system bundle does not know our CA.
        config.tls?.caCertificateFile = "/etc/ssl/certs/ca-certificates.crt"
        await #expect(throws: AMQPError.self) { _ = try await AMQPConnection.connect(config) }
    }
}
