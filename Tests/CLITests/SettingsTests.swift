import CLICore
import Foundation
import Testing

@Suite("CLI settings")
struct SettingsTests {
    let stored = StoredCredentials(url: "https://ship.example.org/", token: "sbt_stored")

    @Test("the credentials file is $SHIPBOARD_CONFIG, else under ~/.config/shipboard")
    func path() {
        #expect(CLISettings.credentialsPath(environment: [:], home: "/home/ann") == "/home/ann/.config/shipboard/credentials")
        #expect(CLISettings.credentialsPath(environment: [:], home: "/home/ann/") == "/home/ann/.config/shipboard/credentials")
        #expect(CLISettings.credentialsPath(environment: ["SHIPBOARD_CONFIG": "/etc/sb.json"], home: "/h") == "/etc/sb.json")
        #expect(CLISettings.credentialsPath(environment: ["SHIPBOARD_CONFIG": ""], home: "/h") == "/h/.config/shipboard/credentials")
    }

    @Test("the environment wins; the file fills in; the URL loses its trailing slash")
    func precedence() throws {
        let fromFile = try CLISettings.resolve(environment: [:], stored: stored)
        #expect(fromFile.url.absoluteString == "https://ship.example.org" && fromFile.token == "sbt_stored")
        let fromEnvironment = try CLISettings.resolve(
            environment: ["SHIPBOARD_URL": "http://127.0.0.1:8080", "SHIPBOARD_TOKEN": "sbt_env"], stored: stored)
        #expect(fromEnvironment.url.absoluteString == "http://127.0.0.1:8080" && fromEnvironment.token == "sbt_env")
        let tokenOnly = try CLISettings.resolve(environment: ["SHIPBOARD_TOKEN": "sbt_env"], stored: stored)
        #expect(tokenOnly.url.absoluteString == "https://ship.example.org" && tokenOnly.token == "sbt_env")
        let sameServer = try CLISettings.resolve(environment: ["SHIPBOARD_URL": "https://ship.example.org"], stored: stored)
        #expect(sameServer.token == "sbt_stored")
    }

    @Test("a stored token is never sent to another server named by SHIPBOARD_URL")
    func noTokenForOtherServer() {
        #expect(throws: CLISettings.Problem.noToken(url: "http://other:8080")) {
            try CLISettings.resolve(environment: ["SHIPBOARD_URL": "http://other:8080"], stored: stored)
        }
    }

    @Test("nothing set, or a URL that is not http(s), is a clear problem")
    func problems() {
        #expect(throws: CLISettings.Problem.noURL) { try CLISettings.resolve(environment: [:], stored: nil) }
        #expect(throws: CLISettings.Problem.noToken(url: "http://h:1")) {
            try CLISettings.resolve(environment: ["SHIPBOARD_URL": "http://h:1"], stored: nil)
        }
        for bad in ["ftp://h", "h:8080", "http://", "http://h/?q=1", "not a url"] {
            #expect(throws: CLISettings.Problem.self) { try ServerURL.parse(bad) }
        }
    }

    @Test("descriptions and messages never show the token or a URL's password")
    func noSecrets() throws {
        let settings = try CLISettings.resolve(
            environment: ["SHIPBOARD_URL": "https://ann:pw@ship.example.org", "SHIPBOARD_TOKEN": "sbt_secret"], stored: nil)
        #expect(!"\(settings)".contains("sbt_secret") && !"\(settings)".contains("pw"))
        #expect(!"\(stored)".contains("sbt_stored"))
        #expect(ServerURL.display(settings.url) == "https://ship.example.org")
    }
}
