import AsyncHTTPClient
import CLICore
import Foundation
import GatewayAPI
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// One conversation with the gateway: the generated `Client` over AsyncHTTPClient, with the
/// token and the exchange recorder as middleware. `APISession.run` opens one from the
/// settings and always shuts its HTTP client down.
struct APISession: Sendable {
    let client: Client
    /// The server as messages show it (no user or password).
    let server: String
    private let http: HTTPClient

    init(settings: CLISettings, readTimeout: TimeAmount? = .seconds(90)) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a redirect would take the bearer token elsewhere
            timeout: .init(connect: .seconds(10), read: readTimeout))
        // The pool would retry a refused connection until the connect timeout (10 s of
        // silence at a prompt); one request per command fails at once instead, and the
        // command's own resend (and watch's backoff) deal with a flaky network.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        server = ServerURL.display(settings.url)
        client = Client(
            serverURL: settings.url,
            configuration: .init(dateTranscoder: LenientDateTranscoder(), jsonEncodingOptions: [.sortedKeys]),
            // The deadline covers the wait for the response head only: a command the server
            // answers with 504 after its own timeout still arrives, an event stream may last.
            transport: AsyncHTTPClientTransport(configuration: .init(client: http, timeout: .seconds(90))),
            middlewares: [RequestHeaders(token: settings.token), ExchangeRecorder()])
    }

    /// Runs `body` with a session for the settings of this environment (or `settings`).
    static func run<T: Sendable>(
        settings: CLISettings? = nil, readTimeout: TimeAmount? = .seconds(90),
        _ body: (APISession) async throws -> T
    ) async throws -> T {
        let session = APISession(settings: try settings ?? SettingsLoader.load(), readTimeout: readTimeout)
        do {
            let result = try await body(session)
            try? await session.http.shutdown()
            return result
        } catch {
            try? await session.http.shutdown()
            throw error
        }
    }
}

/// Dates in answers with or without fractional seconds (see `DateText`); sent in whole seconds.
struct LenientDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { DateText.timestamp(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = DateText.parseTimestamp(text) else {
            let reason = "\(text.debugDescription) is not an RFC 3339 date-time"
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: reason))
        }
        return date
    }
}

/// The settings of this process: environment, then the credentials file.
enum SettingsLoader {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `$HOME` first, as shells and other tools read it (Foundation's home directory comes
    /// from the password database and ignores it).
    static var credentialsPath: String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return CLISettings.credentialsPath(environment: environment, home: home)
    }

    static func stored() throws -> StoredCredentials? {
        do {
            return try CredentialsFile.read(at: credentialsPath)
        } catch {
            throw CommandFailure(error.description, status: .usage)
        }
    }

    static func load() throws -> CLISettings {
        do {
            // Both variables set: the file is not read at all (a broken one does not matter).
            let complete = [environment["SHIPBOARD_URL"], environment["SHIPBOARD_TOKEN"]].allSatisfy { $0?.isEmpty == false }
            return try CLISettings.resolve(environment: environment, stored: complete ? nil : try stored())
        } catch let problem as CLISettings.Problem {
            throw CommandFailure(problem.description, status: .usage)
        }
    }
}
