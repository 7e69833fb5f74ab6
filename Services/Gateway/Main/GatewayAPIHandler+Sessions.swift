import Contracts
import Foundation
import GatewayAPI
import GatewayCore

extension GatewayAPIHandler {
    func createSession(_ input: Operations.createSession.Input) async throws -> Operations.createSession.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let address = RequestScope.current?.clientAddress ?? "unknown"
        do {
            let (user, session) = try await identities.login(name: body.name, password: body.password, totp: body.totp, address: address)
            let maxAge = Int(IdentityStore.sessionLifetime.components.seconds)
            RequestScope.current?.responseCookie.value = SessionCookie.setting(session.cookie, maxAge: maxAge)
            return .ok(.init(
                body: .json(.init(
                    name: user.name, roles: user.roles.sorted().compactMap { .init(rawValue: $0.rawValue) },
                    csrfToken: session.csrfToken, expiresAt: session.expiresAt))))
        } catch let refusal as LoginRefusal {
            switch refusal {
            case .badCredentials:
                return .unauthorized(try Self.problemResponse(APIProblem(
                    kind: "unauthorized", rule: "auth.login", status: 401, detail: "the name or the password is wrong")))
            case .secondFactor:
                return .unauthorized(try Self.problemResponse(APIProblem(
                    kind: "unauthorized", rule: "auth.totp", status: 401, detail: "a valid TOTP code is required")))
            case .throttled(let until):
                let wait = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
                return .tooManyRequests(.init(
                    headers: .init(Retry_hyphen_After: wait),
                    body: .application_problem_plus_json(try APIValue.convert(APIProblem(
                        kind: "throttled", rule: "auth.login_rate", status: 429,
                        detail: "too many failed logins; try again in \(wait) s")))))
            }
        }
    }

    func deleteSession(_ input: Operations.deleteSession.Input) async throws -> Operations.deleteSession.Output {
        if let cookie = RequestScope.current?.sessionCookie { try await identities.revokeSession(cookie) }
        RequestScope.current?.responseCookie.value = SessionCookie.clearing
        return .noContent(.init())
    }

    func enrollTOTP(_ input: Operations.enrollTOTP.Input) async throws -> Operations.enrollTOTP.Output {
        .ok(.init(body: .json(.init(otpauthURL: try await identities.enrollTOTP(for: try Self.user())))))
    }

    func listRolePolicies(_ input: Operations.listRolePolicies.Input) async throws -> Operations.listRolePolicies.Output {
        let required = try await identities.rolesRequiringTOTP()
        return .ok(.init(body: .json(.init(items: Role.allCases.compactMap { role in
            Components.Schemas.Role(rawValue: role.rawValue).map { .init(role: $0, requireTotp: required.contains(role)) }
        }))))
    }

    func setRolePolicy(_ input: Operations.setRolePolicy.Input) async throws -> Operations.setRolePolicy.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        guard let role = Role(rawValue: input.path.role.rawValue) else {
            throw CommandError(.validation, "unknown role", rule: "roles.known", fields: ["role": "unknown"])
        }
        try await identities.setTOTPRequired(body.requireTotp, for: role, by: try Self.user().name)
        return .ok(.init(body: .json(.init(role: input.path.role, requireTotp: body.requireTotp))))
    }

    static func problemResponse(_ problem: APIProblem) throws -> Components.Responses.Problem {
        .init(body: .application_problem_plus_json(try APIValue.convert(problem)))
    }
}
