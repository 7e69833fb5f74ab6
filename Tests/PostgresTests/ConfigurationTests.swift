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
