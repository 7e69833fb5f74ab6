import Contracts
import Foundation
import GatewayAPI
import GatewayCore

extension GatewayAPIHandler {
    func listUsers(_ input: Operations.listUsers.Input) async throws -> Operations.listUsers.Output {
        let users = try await identities.users().map { user in
            Components.Schemas.User(
                name: user.name, roles: user.roles.sorted().compactMap { .init(rawValue: $0.rawValue) }, disabled: user.disabled,
                createdAt: user.createdAt)
        }
        return .ok(.init(body: .json(.init(items: users))))
    }

    func createUser(_ input: Operations.createUser.Input) async throws -> Operations.createUser.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let roles = Set(body.roles.compactMap { Role(rawValue: $0.rawValue) })
        let user = try await identities.createUser(name: body.name, roles: roles, password: body.password, createdBy: try Self.user().name)
        return .created(.init(body: .json(.init(
            name: user.name, roles: user.roles.sorted().compactMap { .init(rawValue: $0.rawValue) }, disabled: user.disabled))))
    }

    func issueToken(_ input: Operations.issueToken.Input) async throws -> Operations.issueToken.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let days = body.days ?? 90
        guard (1...366).contains(days) else {
            throw CommandError(.validation, "a token lives 1 to 366 days", rule: "tokens.lifetime", fields: ["days": "must be 1 to 366"])
        }
        let user = try await identities.user(named: input.path.name)
        let issued = try await identities.issueToken(for: user.id, label: body.label, lifetime: .seconds(days * 86_400))
        return .created(.init(body: .json(.init(
            id: issued.id.uuidString.lowercased(), token: issued.token.secret, expiresAt: issued.expiresAt))))
    }

    func revokeToken(_ input: Operations.revokeToken.Input) async throws -> Operations.revokeToken.Output {
        guard let id = UUID(uuidString: input.path.tokenId) else {
            throw CommandError(.validation, "a token id is a UUID", rule: "tokens.id", fields: ["tokenId": "must be a UUID"])
        }
        guard try await identities.tokenExists(id) else {
            throw CommandError(.notFound, "no token has this id", rule: "tokens.exists")
        }
        try await identities.revokeToken(id)
        await authentications.clear()
        return .noContent(.init())
    }
}
