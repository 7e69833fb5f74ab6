import Testing

@testable import AMQP

@Suite("AMQP configuration")
struct AMQPConfigurationTests {
    @Test("parses user, password, host, port, vhost and parameters")
    func parsesURL() throws {
        let config = try AMQPConfiguration(url: "amqp://app:s%40cret@broker.local:5673/ship%2Fboard?heartbeat=4&connection_timeout=3")
        #expect(config.user == "app")
        #expect(config.password == "s@cret")
        #expect(config.host == "broker.local")
        #expect(config.port == 5673)
        #expect(config.virtualHost == "ship/board")
        #expect(config.heartbeat == 4)
        #expect(config.connectionTimeout == 3)
        #expect(config.tls == nil)
    }

    @Test("amqps enables TLS on 5671 by default")
    func tls() throws {
        let config = try AMQPConfiguration(url: "amqps://u:p@h/?verify=false&cacertfile=/ca.pem")
        #expect(config.port == 5671)
        #expect(config.virtualHost == "/")
        #expect(config.tls?.verifyPeer == false)
        #expect(config.tls?.caCertificateFile == "/ca.pem")
    }

    @Test("description and errors never contain the password")
    func redaction() throws {
        let config = try AMQPConfiguration(url: "amqp://u:hunter2@h:1/v")
        #expect(!config.description.contains("hunter2"))
        for bad in ["http://u:hunter2@h/v", "amqp://u:hunter2@h/v?heartbeat=x", "amqp://u:hunter2@h/v?bogus=1", "amqp:///v"] {
            do {
                _ = try AMQPConfiguration(url: bad)
                Issue.record("expected \(bad) to be rejected")
            } catch {
                #expect(!error.description.contains("hunter2"))
            }
        }
    }
}
