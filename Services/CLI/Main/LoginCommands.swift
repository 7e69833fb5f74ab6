import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard login --url URL`: checks a token with `GET /api/v1/me`, then saves the URL and
/// token for later commands (0600).
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an API token and save it with the server's URL.",
        discussion: """
            The token is read from stdin (typed without echo on a terminal, or piped: \
            `shipboard login --url URL < token.txt`) or from --token-file, never from an \
            argument. It is saved in $SHIPBOARD_CONFIG, else ~/.config/shipboard/credentials, \
            readable by you alone.
            """)

    @Option(help: "The server, e.g. https://shipboard.example.org (default: SHIPBOARD_URL, else the saved one).")
    var url: String?
    @Option(help: "Read the token from this file instead of stdin.")
    var tokenFile: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        guard let urlText = url ?? SettingsLoader.environment["SHIPBOARD_URL"] ?? (try? SettingsLoader.stored())??.url else {
            throw ValidationError("give the server with --url URL")
        }
        let serverURL: URL
        do { serverURL = try ServerURL.parse(urlText) } catch { throw ValidationError(error.description) }
        let token = try SecretInput.read(prompt: "API token for \(ServerURL.display(serverURL)): ", file: tokenFile)
        let settings = CLISettings(url: serverURL, token: token)
        let me = try await APISession.run(settings: settings) { session in
            try await session.call({ try await $0.getMe() }, expecting: { try $0.ok.body.json })
        }
        let path = SettingsLoader.credentialsPath
        do {
            try CredentialsFile.write(StoredCredentials(url: serverURL.absoluteString, token: token), to: path)
        } catch {
            throw CommandFailure(error.description)
        }
        try output.emit(me) { me in
            "logged in to \(ServerURL.display(serverURL)) as \(me.name) (\(Whoami.roles(me))); saved in \(path)\n"
        }
    }
}

/// `shipboard whoami`: the authenticated user, their roles and approver groups.
struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show who the token belongs to (GET /api/v1/me).")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let me = try await APISession.run { session in
            try await session.call({ try await $0.getMe() }, expecting: { try $0.ok.body.json })
        }
        try output.emit(me) { me in
            FieldList([
                ("user", me.name), ("roles", Self.roles(me)),
                ("groups", me.groups.isEmpty ? "none" : me.groups.joined(separator: ", ")),
            ]).text
        }
    }

    static func roles(_ me: Components.Schemas.Me) -> String {
        me.roles.isEmpty ? "no roles" : me.roles.map(\.rawValue).joined(separator: ", ")
    }
}
