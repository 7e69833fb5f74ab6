import Testing

@testable import Postgres

@Suite("What libpq is asked for when connecting")
struct ConnectionParameterTests {
    static func parameters(_ configuration: PostgresConfiguration) -> [String: String] {
        Dictionary(LibPQConnection.connectionParameters(configuration), uniquingKeysWith: { $1 })
    }

    @Test func keepalivesUserTimeoutAndSessionTimeoutsAreSent() {
        var configuration = PostgresConfiguration(user: "app", password: "pw", database: "app", options: "-c search_path=planning")
        let sent = Self.parameters(configuration)
        #expect(sent["keepalives"] == "1")
        #expect(sent["keepalives_idle"] == "30")
        #expect(sent["keepalives_interval"] == "10")
        #expect(sent["keepalives_count"] == "3")
        #expect(sent["tcp_user_timeout"] == "30000")
        let options = sent["options"] ?? ""
        #expect(options.hasSuffix("-c statement_timeout=30000 -c lock_timeout=10000 -c search_path=planning"))
        #expect(options.hasPrefix(LibPQConnection.sessionOptions))

        configuration.keepalives = nil
        configuration.tcpUserTimeout = nil
        configuration.statementTimeout = nil
        configuration.lockTimeout = .zero
        let plain = Self.parameters(configuration)
        #expect(plain["keepalives"] == "0")
        #expect(plain["keepalives_idle"] == nil)
        #expect(plain["tcp_user_timeout"] == nil)
        #expect(!(plain["options"] ?? "").contains("statement_timeout"))
        #expect((plain["options"] ?? "").contains("-c lock_timeout=0"))
    }

    @Test func millisecondsRoundUpSoAPositiveTimeoutIsNeverZero() {
        #expect(Duration.microseconds(1).milliseconds == 1)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.zero.milliseconds == 0)
        #expect(Duration.milliseconds(-5).milliseconds == 0)
        #expect(Duration.seconds(Int64.max).pollMilliseconds == Int32.max)
    }
}
