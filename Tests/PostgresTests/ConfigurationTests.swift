import Postgres
import Testing

@Suite("PostgresConfiguration URL parsing")
struct ConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://ship%40board:p%40ss%3Aw%2Frd@db.example:6543/ship%20db?sslmode=require&connect_timeout=7&application_name=migrate&options=-c%20search_path%3Dplanning")
        #expect(configuration.user == "ship@board")
        #expect(configuration.password == "p@ss:w/rd")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "ship db")
        #expect(configuration.sslMode == .require)
        #expect(configuration.connectTimeout == 7)
        #expect(configuration.applicationName == "migrate")
        #expect(configuration.options == "-c search_path=planning")
    }

    @Test func defaultsAndIPv6() throws {
        let configuration = try PostgresConfiguration(url: "postgres://app@[::1]")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5432)
        #expect(configuration.database == "app")
        #expect(configuration.password == nil)
        #expect(configuration.connectTimeout == 5)
        #expect(configuration.sslMode == .prefer)
    }

    @Test func anUnencodedAtSignInThePasswordStillParses() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:a@b@localhost:5432/d")
        #expect(configuration.password == "a@b")
        #expect(configuration.host == "localhost")
    }

    @Test(arguments: [
        "mysql://u:s3cr3t-pw@h/d",
        "postgres://u:s3cr3t-pw@h:notaport/d",
        "postgres://u:s3cr3t-pw@h:70000/d",
        "postgres://u:s3cr3t-pw@h/d?sslmode=sometimes",
        "postgres://u:s3cr3t-pw@h/d?connect_timeout=soon",
        "postgres://u:s3cr3t-pw@h/d?unknown=1",
        "postgres://:s3cr3t-pw@h/d",
        "postgres://u:s3cr3t-pw%zz@h/d",
        "postgres://u:s3cr3t-pw%00@h/d",
        "postgres://u:s3cr3t-pw@[::1/d",
        "postgres://u:s3cr3t-pw@h/d/e",
        "postgres://u:s3cr3t-pw@h/d?statement_timeout=soon",
        "postgres://u:s3cr3t-pw@h/d?lock_timeout=-1",
        "postgres://u:s3cr3t-pw@h/d?query_timeout=5h",
        "postgres://u:s3cr3t-pw@h/d?tcp_user_timeout=99999999999999999999",
        "postgres://u:s3cr3t-pw@h/d?keepalives=yes",
        "postgres://u:s3cr3t-pw@h/d?keepalives_idle=0",
    ])
    func malformedURLsFailWithoutRevealingThePassword(url: String) {
        do {
            _ = try PostgresConfiguration(url: url)
            Issue.record("expected \(url) to be rejected")
        } catch {
            #expect(!error.description.contains("s3cr3t"))
            #expect(error.description.hasPrefix("invalid PostgreSQL configuration: "))
        }
    }

    @Test func timeoutsAndKeepalivesHaveServiceDefaults() throws {
        let configuration = try PostgresConfiguration(url: "postgres://app@db/app")
        #expect(configuration.statementTimeout == .seconds(30))
        #expect(configuration.lockTimeout == .seconds(10))
        #expect(configuration.queryTimeout == .seconds(35))
        #expect(configuration.cancelGracePeriod == .seconds(1))
        #expect(configuration.tcpUserTimeout == .seconds(30))
        #expect(configuration.keepalives == PostgresConfiguration.Keepalives(idle: 30, interval: 10, count: 3))
        #expect(configuration == PostgresConfiguration(host: "db", user: "app", database: "app"))
    }

    @Test func timeoutsAndKeepalivesComeFromTheURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://app@db/app?statement_timeout=5s&lock_timeout=250ms&query_timeout=1min&tcp_user_timeout=15000"
                + "&keepalives_idle=20&keepalives_interval=5&keepalives_count=4")
        #expect(configuration.statementTimeout == .seconds(5))
        #expect(configuration.lockTimeout == .milliseconds(250))
        #expect(configuration.queryTimeout == .seconds(60))
        #expect(configuration.tcpUserTimeout == .seconds(15))
        #expect(configuration.keepalives == PostgresConfiguration.Keepalives(idle: 20, interval: 5, count: 4))

        // The client deadline follows the statement timeout unless given.
        #expect(try PostgresConfiguration(url: "postgres://a@h/d?statement_timeout=2000").queryTimeout == .seconds(7))
        #expect(try PostgresConfiguration(url: "postgres://a@h/d?statement_timeout=0").queryTimeout == nil)
        let roleDefaults = try PostgresConfiguration(url: "postgres://a@h/d?statement_timeout=default&lock_timeout=default")
        #expect(roleDefaults.statementTimeout == nil)
        #expect(roleDefaults.lockTimeout == nil)
        #expect(roleDefaults.queryTimeout == .seconds(35))

        let off = try PostgresConfiguration(url: "postgres://a@h/d?keepalives=0&tcp_user_timeout=0&query_timeout=0")
        #expect(off.keepalives == nil)
        #expect(off.tcpUserTimeout == nil)
        #expect(off.queryTimeout == nil)
        #expect(off.description.contains("keepalives=0"))
    }

    @Test func descriptionRedactsThePassword() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:s3cr3t-pw@h/d")
        #expect(!configuration.description.contains("s3cr3t"))
        #expect(configuration.description.contains("<redacted>"))
        #expect(!String(reflecting: configuration).contains("s3cr3t"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
    }
}
