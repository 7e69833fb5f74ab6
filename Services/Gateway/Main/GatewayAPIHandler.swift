import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import NotificationCore
import OpenAPIRuntime
import PlanningCore
import Postgres

/// The generated API's implementation. Function-level authorization has already run
/// (``AuthorizationMiddleware``); each operation reads PostgreSQL directly (queries take no
/// lock a command waits on) or sends a command to planning and answers its result. Every
/// refusal is thrown as a `CommandError` and becomes a problem in ``ProblemMiddleware``.
struct GatewayAPIHandler: APIProtocol {
    let pool: PostgresPool
    let identities: IdentityStore
    /// Cleared when this gateway revokes a token, so the revocation holds here at once.
    let authentications: AuthenticationCache
    let commands: PlanningCommands
    /// Where artifact uploads are streamed to (issue 12).
    let artifacts: ArtifactUploads
    /// Where DML archives are streamed from (shipboard-testing's download server).
    let dmlContent: DMLContentSource
    /// Which webhook and chat addresses a contact point may hold (issue 14).
    var outboundURLs = OutboundURLPolicy()
    /// How often a release's event stream looks for a change.
    var eventPollInterval: Duration = .milliseconds(500)

    var releases: ReleaseQueries { ReleaseQueries(pool: pool) }
    var configuration: ConfigurationQueries { ConfigurationQueries(pool: pool) }

    func getOpenAPIDocument(_ input: Operations.getOpenAPIDocument.Input) async throws -> Operations.getOpenAPIDocument.Output {
        .ok(.init(body: .json(try JSONDecoder().decode(OpenAPIObjectContainer.self, from: OpenAPIDocument.json))))
    }

    func getMe(_ input: Operations.getMe.Input) async throws -> Operations.getMe.Output {
        let user = try Self.user()
        let groups = try await configuration.groups(of: user.name)
        return .ok(.init(body: .json(.init(
            name: user.name, roles: user.roles.sorted().compactMap { .init(rawValue: $0.rawValue) }, groups: groups.sorted()))))
    }

    /// The authenticated user (the middleware guarantees one on every route but the document).
    static func user() throws -> GatewayUser {
        guard let user = RequestScope.current?.user else {
            throw CommandError(.forbidden, "you may not do this", rule: "auth.role")
        }
        return user
    }
}

/// Moves a value between the service's types and the generated API types through their
/// shared JSON shape (the OpenAPI document describes exactly what the services encode), so
/// no field is copied by hand. A mismatch is a 500 the tests catch, never a silent gap.
enum APIValue {
    static func convert<Target: Decodable>(_ value: some Encodable, to target: Target.Type = Target.self) throws -> Target {
        try decoder.decode(Target.self, from: encoder.encode(value))
    }

    // One of each for every request (they are Sendable and keep no state between calls).
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// An enum value of the API as the service's contract enum (same raw values).
    static func contract<Value: ContractEnum>(_ value: (some RawRepresentable<String>)?) -> Value? {
        value.map { Value(rawValue: $0.rawValue) }
    }
}
