import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import NotificationCore

/// Where people are reached (issue 14): a person's contact points live beside their identity
/// in the gateway's own table, written here directly (checked by `ContactPointRules`); who
/// speaks for a site is shipboard-notify's, changed by command and read from its table.
extension GatewayAPIHandler {
    var contactPoints: ContactPointStore { ContactPointStore(pool: pool) }
    var notifications: NotificationQueries { NotificationQueries(pool: pool) }

    func getMyContacts(_ input: Operations.getMyContacts.Input) async throws -> Operations.getMyContacts.Output {
        .ok(.init(body: .json(try APIValue.convert(try await contactPoints.contacts(of: try Self.user().id)))))
    }

    func setMyContacts(_ input: Operations.setMyContacts.Input) async throws -> Operations.setMyContacts.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let stored = try await contactPoints.replace(try APIValue.convert(body), of: try Self.user().id, policy: outboundURLs)
        return .ok(.init(body: .json(try APIValue.convert(stored))))
    }

    func setUserContacts(_ input: Operations.setUserContacts.Input) async throws -> Operations.setUserContacts.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let contacts: ContactPoints = try APIValue.convert(body)
        // Checked before the name is looked up, so a bad address is refused the same for every name.
        _ = try contacts.checked(policy: outboundURLs)
        let user = try await identities.user(named: input.path.name)
        return .ok(.init(body: .json(try APIValue.convert(try await contactPoints.replace(contacts, of: user.id, policy: outboundURLs)))))
    }

    func getSiteContacts(_ input: Operations.getSiteContacts.Input) async throws -> Operations.getSiteContacts.Output {
        .ok(.init(body: .json(try APIValue.convert(try await notifications.siteContacts(input.path.site)))))
    }

    func setSiteContacts(_ input: Operations.setSiteContacts.Input) async throws -> Operations.setSiteContacts.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let site = input.path.site
        let command = try NotificationCommandRules.checked(SetSiteContacts(site: site, members: body.members))
        _ = try await commands.send(
            command, operation: "setSiteContacts",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(try await notifications.siteContacts(site)))))
    }
}
