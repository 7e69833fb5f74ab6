import Testing

@testable import ServiceKit

@Suite("Service configuration from the environment")
struct ConfigurationTests {
    static let valid = [
        "SHIPBOARD_DATABASE_URL": "postgres://svc:db-s3cret@127.0.0.1:55432/shipboard",
        "SHIPBOARD_AMQP_URL": "amqp://svc:mq-s3cret@127.0.0.1:55672/shipboard",
    ]

    @Test("defaults fill everything optional; the description hides passwords")
    func defaults() throws {
        let configuration = try ServiceConfiguration.load(serviceName: "planning", defaultHTTPPort: 8081, environment: Self.valid)
        #expect(configuration.httpPort == 8081)
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.logFormat == .plain)
        #expect(configuration.logLevel == .info)
        #expect(configuration.shutdownTimeout == .seconds(10))
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.description.contains("***"))
    }

    @Test("every problem is reported at once, each naming its variable, never a secret")
    func allProblemsNamed() {
        var environment = Self.valid
        environment["SHIPBOARD_AMQP_URL"] = nil
        environment["SHIPBOARD_DATABASE_URL"] = "mysql://svc:db-s3cret@host/db"
        environment["SHIPBOARD_HTTP_PORT"] = "eighty"
        environment["SHIPBOARD_LOG_FORMAT"] = "xml"
        environment["SHIPBOARD_SHUTDOWN_TIMEOUT"] = "soon"
        environment["SHIPBOARD_LOG_LEVEL"] = "loud"
        do {
            _ = try ServiceConfiguration.load(serviceName: "planning", defaultHTTPPort: 8081, environment: environment)
            Issue.record("invalid configuration accepted")
        } catch {
            let named = Set(error.problems.map(\.variable))
            #expect(named == [
                "SHIPBOARD_AMQP_URL", "SHIPBOARD_DATABASE_URL", "SHIPBOARD_HTTP_PORT", "SHIPBOARD_LOG_FORMAT",
                "SHIPBOARD_SHUTDOWN_TIMEOUT", "SHIPBOARD_LOG_LEVEL",
            ])
            #expect(!error.exitMessage.contains("s3cret"))
            #expect(error.exitMessage.contains("SHIPBOARD_AMQP_URL is required but not set"))
        }
    }

    @Test("typed values parse: durations, booleans, ranges")
    func typedValues() throws {
        let reader = ConfigurationReader(environment: ["A": "500ms", "B": "2m", "C": "7", "D": "yes", "E": "99"])
        #expect(reader.duration("A", default: .zero) == .milliseconds(500))
        #expect(reader.duration("B", default: .zero) == .seconds(120))
        #expect(reader.duration("C", default: .zero) == .seconds(7))
        #expect(reader.bool("D", default: false))
        #expect(reader.int("E", default: 1, range: 1...10) == 1)
        #expect(throws: ConfigurationError.self) { try reader.validate() }
    }
}
