import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime
import PlanningCore
import Postgres

/// The generated API's implementation: each operation checks the caller's role, then reads
/// (queries go to PostgreSQL, taking no lock a command waits on) or, later, sends a command.
struct GatewayAPIHandler: APIProtocol {
    let pool: PostgresPool

    func getOpenAPIDocument(_ input: Operations.getOpenAPIDocument.Input) async throws -> Operations.getOpenAPIDocument.Output {
        .ok(.init(body: .json(try JSONDecoder().decode(OpenAPIObjectContainer.self, from: OpenAPIDocument.json))))
    }

    func getMe(_ input: Operations.getMe.Input) async throws -> Operations.getMe.Output {
        guard let user = CurrentUser.value else { return .unauthorized(Self.unauthorized) }
        return .ok(.init(body: .json(.init(name: user.name, roles: user.roles.sorted().map(\.rawValue)))))
    }

    func getRelease(_ input: Operations.getRelease.Input) async throws -> Operations.getRelease.Output {
        guard let user = CurrentUser.value else { return .unauthorized(Self.unauthorized) }
        guard GatewayAccess.allows("getRelease", roles: user.roles) else {
            return .forbidden(Self.problem(.forbidden, "your roles do not allow this", rule: "auth.role"))
        }
        do {
            let release = try await ReleaseQueries(pool: pool).release(input.path.key)
            return .ok(.init(body: .json(.init(
                key: release.key, title: release.title, _type: release.type, phase: release.phase.rawValue,
                status: release.status.rawValue, priority: release.priority, requester: release.requester,
                coordinator: release.coordinator, version: release.version, changes: release.changes.map(\.externalID)))))
        } catch let error as CommandError where error.kind == .notFound {
            return .notFound(Self.problem(error))
        } catch let error as CommandError where error.kind == .validation {
            return .badRequest(Self.problem(error))
        }
    }

    /// What the authentication middleware answers too (it runs first; this is the fallback).
    static var unauthorized: Components.Responses.Problem {
        .init(body: .application_problem_plus_json(.init(
            _type: "urn:shipboard:problem:unauthorized:auth.token", title: "Unauthorized", status: 401,
            detail: "a valid bearer token is required", rule: "auth.token")))
    }

    static func problem(_ error: CommandError) -> Components.Responses.Problem {
        problem(error.kind, error.message, rule: error.rule ?? "unspecified")
    }

    static func problem(_ kind: CommandError.Kind, _ detail: String, rule: String) -> Components.Responses.Problem {
        .init(body: .application_problem_plus_json(.init(
            _type: "urn:shipboard:problem:\(kind.rawValue):\(rule)", title: kind.rawValue,
            status: HTTPProblemStatus.code(for: kind), detail: detail, rule: rule)))
    }
}

/// The HTTP status of each `CommandError` kind (one table for every route).
enum HTTPProblemStatus {
    static func code(for kind: CommandError.Kind) -> Int {
        switch kind {
        case .validation: 400
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .timeout: 504
        default: 500
        }
    }
}
