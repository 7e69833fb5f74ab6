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

    @Test("user and password are percent-decoded exactly once (%, @, : and / in a password work)")
    func credentialsDecodedOnce() throws {
        let config = try AMQPConfiguration(url: "amqp://us%25er:p%25a%40b%3Ac%2Fd%2541@h/v")
        #expect(config.user == "us%er")
        #expect(config.password == "p%a@b:c/d%41")
    }

    @Test("a URL without credentials or with malformed percent-encoding is an error, never a silent guest")
    func missingOrMalformedCredentials() {
        for bad in ["amqp://h/v", "amqp://h:5672", "amqps://broker.local/v", "amqp://u@h/v", "amqp://u:p%zz@h/v", "amqp://u%:p@h/v"] {
            #expect(throws: AMQPError.self, "\(bad)") { _ = try AMQPConfiguration(url: bad) }
        }
    }

    @Test("dump and reflection never show the password")
    func dumpHidesPassword() throws {
        let config = try AMQPConfiguration(url: "amqp://app:hunter2-secret@h:1/v")
        var dumped = ""
        dump(config, to: &dumped)
        #expect(dumped.contains("app"))
        #expect(!dumped.contains("hunter2-secret"))
        var described = ""
        debugPrint([config], to: &described)
        #expect(!described.contains("hunter2-secret"))
        #expect(!Mirror(reflecting: config).children.contains { "\($0.value)".contains("hunter2-secret") })
    }

    @Test("max_message_size, channel_max and write_timeout are read from the URL; defaults are bounded")
    func limits() throws {
        let config = try AMQPConfiguration(url: "amqp://u:p@h/v?max_message_size=1024&channel_max=16&write_timeout=3")
        #expect(config.maxMessageSize == 1024)
        #expect(config.channelMax == 16)
        #expect(config.writeTimeout == 3)
        let defaults = try AMQPConfiguration(url: "amqp://u:p@h/v")
        #expect(defaults.maxMessageSize == 16 * 1024 * 1024)
        #expect(throws: AMQPError.self) { _ = try AMQPConfiguration(url: "amqp://u:p@h/v?max_message_size=0") }
    }
}
