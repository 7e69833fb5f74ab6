import Foundation

/// The server and token a command uses. `SHIPBOARD_URL` and `SHIPBOARD_TOKEN` win over the
/// credentials file `shipboard login` writes (`$SHIPBOARD_CONFIG`, else
/// `~/.config/shipboard/credentials`). The token is never part of a description.
public struct CLISettings: Sendable, Equatable, CustomStringConvertible {
    public let url: URL
    public let token: String

    public init(url: URL, token: String) {
        self.url = url
        self.token = token
    }

    public var description: String { "CLISettings(url: \(ServerURL.display(url)), token: <hidden>)" }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noURL
        case noToken(url: String)
        case invalidURL(String)

        public var description: String {
            switch self {
            case .noURL: "no server: set SHIPBOARD_URL or run `shipboard login --url URL`"
            case .noToken(let url): "no token for \(url): set SHIPBOARD_TOKEN or run `shipboard login --url \(url)`"
            case .invalidURL(let text): "\(text.debugDescription) is not a server URL (http://host[:port] or https://…)"
            }
        }
    }

    /// Where the credentials file is for this environment.
    public static func credentialsPath(environment: [String: String], home: String) -> String {
        if let path = environment["SHIPBOARD_CONFIG"], !path.isEmpty { return path }
        return (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/.config/shipboard/credentials"
    }

    /// The settings from the environment and what `login` stored. A stored token is used only
    /// for the server it was stored for: with `SHIPBOARD_URL` naming another server, sending
    /// it there would hand one server's credential to another.
    public static func resolve(environment: [String: String], stored: StoredCredentials?) throws(Problem) -> CLISettings {
        let envURL = environment["SHIPBOARD_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let envToken = environment["SHIPBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        guard let urlText = envURL ?? stored?.url else { throw .noURL }
        let url = try ServerURL.parse(urlText)
        if let envToken { return CLISettings(url: url, token: envToken) }
        guard let stored, let storedURL = try? ServerURL.parse(stored.url), storedURL == url, !stored.token.isEmpty else {
            throw .noToken(url: ServerURL.display(url))
        }
        return CLISettings(url: url, token: stored.token)
    }
}

/// The server's base URL as the settings give it.
public enum ServerURL {
    /// An http(s) URL with a host, without a trailing slash (the API's paths start with one)
    /// and without a query or fragment.
    public static func parse(_ text: String) throws(CLISettings.Problem) -> URL {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, let url = components.url
        else { throw .invalidURL(text) }
        return url
    }

    /// The URL for messages: scheme, host, port and path, never a user or password.
    public static func display(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the server" }
        components.user = nil
        components.password = nil
        return components.string ?? "the server"
    }
}
