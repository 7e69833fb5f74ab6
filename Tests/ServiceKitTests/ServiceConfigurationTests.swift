import Foundation
import Logging
import Testing

@testable import ServiceKit

@Suite("Shared service configuration")
struct ServiceConfigurationTests {
    static let valid = [
        "SHIPBOARD_DATABASE_URL": "postgres://svc:db-s3cret@127.0.0.1:55432/shipboard?sslmode=disable&password=q-s3cret",
        "SHIPBOARD_AMQP_URL": "amqp://svc:mq-s3cret@127.0.0.1:55672/shipboard",
    ]

    @Test("defaults fill everything optional")
    func defaults() throws {
        let configuration = try ServiceConfiguration.load(serviceName: "planning", defaultHTTPPort: 8081, environment: Self.valid)
        #expect(configuration.serviceName == "planning")
        #expect(configuration.databaseURL == Self.valid["SHIPBOARD_DATABASE_URL"])
        #expect(configuration.amqpURL == Self.valid["SHIPBOARD_AMQP_URL"])
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8081)
        #expect(configuration.logFormat == .plain)
        #expect(configuration.logLevel == .info)
        #expect(configuration.shutdownTimeout == .seconds(10))
    }

    @Test("every variable can be set")
    func overrides() throws {
        var environment = Self.valid
        environment["SHIPBOARD_HTTP_HOST"] = "0.0.0.0"
        environment["SHIPBOARD_HTTP_PORT"] = "9000"
        environment["SHIPBOARD_LOG_FORMAT"] = "json"
        environment["SHIPBOARD_LOG_LEVEL"] = "debug"
        environment["SHIPBOARD_SHUTDOWN_TIMEOUT"] = "1500ms"
        let configuration = try ServiceConfiguration.load(serviceName: "build", defaultHTTPPort: 8082, environment: environment)
        #expect(configuration.httpHost == "0.0.0.0")
        #expect(configuration.httpPort == 9000)
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.shutdownTimeout == .milliseconds(1500))
    }

    @Test("every problem is reported at once, each naming its variable, never a secret")
    func allProblemsNamed() {
        let environment = [
            "SHIPBOARD_DATABASE_URL": "not a url with p4ssw0rd",
            "SHIPBOARD_HTTP_PORT": "70000",
            "SHIPBOARD_LOG_FORMAT": "xml",
            "SHIPBOARD_LOG_LEVEL": "loud",
            "SHIPBOARD_SHUTDOWN_TIMEOUT": "soon",
        ]
        #expect {
            _ = try ServiceConfiguration.load(serviceName: "planning", defaultHTTPPort: 8081, environment: environment)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            #expect(error.problems.map(\.variable) == [
                "SHIPBOARD_DATABASE_URL", "SHIPBOARD_AMQP_URL", "SHIPBOARD_HTTP_PORT", "SHIPBOARD_LOG_FORMAT",
                "SHIPBOARD_LOG_LEVEL", "SHIPBOARD_SHUTDOWN_TIMEOUT",
            ])
            #expect(error.exitMessage.contains("SHIPBOARD_AMQP_URL is required but not set"))
            #expect(error.exitMessage.contains("SHIPBOARD_DATABASE_URL is not a URL starting with postgres:// or postgresql://"))
            #expect(error.exitMessage.contains(#"SHIPBOARD_LOG_LEVEL is not one of trace, debug, info"#))
            #expect(error.exitMessage.contains(#"SHIPBOARD_HTTP_PORT is out of range 0...65535 (got "70000")"#))
            for text in [error.exitMessage, error.description, String(reflecting: error), "\(error.problems)"] {
                #expect(!text.contains("p4ssw0rd"))
            }
            return true
        }
    }

    @Test("a service's own variables join the shared ones in one error")
    func extraSettings() {
        #expect {
            _ = try ServiceConfiguration.load(serviceName: "rollout", defaultHTTPPort: 8084, environment: ["ROLLOUT_WORKERS": "lots"]) {
                reader in reader.int("ROLLOUT_WORKERS", default: 4, range: 1...64)
            }
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.variable) == [
                "SHIPBOARD_DATABASE_URL", "SHIPBOARD_AMQP_URL", "ROLLOUT_WORKERS",
            ]
        }
        var environment = Self.valid
        environment["ROLLOUT_WORKERS"] = "8"
        let loaded = try? ServiceConfiguration.load(serviceName: "rollout", defaultHTTPPort: 8084, environment: environment) {
            reader in reader.int("ROLLOUT_WORKERS", default: 4, range: 1...64)
        }
        #expect(loaded?.1 == 8)
    }

    @Test("description, debug description and dump show URLs with passwords as ***")
    func redaction() throws {
        let configuration = try ServiceConfiguration.load(serviceName: "planning", defaultHTTPPort: 8081, environment: Self.valid)
        var dumped = ""
        dump(configuration, to: &dumped)
        struct Holder { let configuration: ServiceConfiguration }
        for text in [
            configuration.description, String(reflecting: configuration), dumped, "\(Holder(configuration: configuration))",
        ] {
            #expect(!text.contains("s3cret"), "\(text)")
            #expect(text.contains("postgres://svc:***@127.0.0.1:55432/shipboard"), "\(text)")
            #expect(text.contains("amqp://svc:***@127.0.0.1:55672/shipboard"), "\(text)")
        }
    }

    @Test(
        "redacting never shows a password, even in URLs it cannot parse",
        arguments: [
            "postgres://u:pw-X@h/db", "postgres://u:pw-X@h:5432/db?password=pw-X", "not a url pw-X", "postgres://u:pw-X@@h/d b",
            "amqp://u:pw-X@[::1/v", "postgres://h/db?sslpassword=pw-X",
        ])
    func redactionOfOddURLs(url: String) {
        #expect(!ServiceConfiguration.redacted(url).contains("pw-X"), "\(ServiceConfiguration.redacted(url))")
    }

    @Test("documentation lists exactly the variables the configuration reads, in the doc comment too")
    func documentationInStep() throws {
        let reader = ConfigurationReader(environment: [:])
        _ = ServiceConfiguration(serviceName: "x", defaultHTTPPort: 1, reader: reader)
        #expect(ServiceConfiguration.documentation.map(\.name) == reader.variablesRead)
        #expect(ServiceConfiguration.documentation.filter(\.secret).map(\.name) == ["SHIPBOARD_DATABASE_URL", "SHIPBOARD_AMQP_URL"])

        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Shared/ServiceKit/Configuration/ServiceConfiguration.swift")
        let table = try String(contentsOf: source, encoding: .utf8)
            .split(separator: "\n")
            .filter { $0.hasPrefix("/// | `") }
            .map { $0.dropFirst(4) + "\n" }
            .joined()
        let generated = ConfigurationVariable.markdownTable(ServiceConfiguration.documentation)
            .split(separator: "\n").dropFirst(2).map { $0 + "\n" }.joined()
        #expect(table == generated)
    }
}
