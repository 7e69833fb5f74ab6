import Contracts
import Foundation
import GatewayAPI
import PlanningCore

extension GatewayAPIHandler {
    var cis: CIQueries { CIQueries(pool: pool) }

    func listCIs(_ input: Operations.listCIs.Input) async throws -> Operations.listCIs.Output {
        let query = input.query
        let page = try await cis.items(
            ciClass: APIValue.contract(query._class), site: query.site, nameContains: query.q, limit: query.limit ?? 50,
            afterKey: query.cursor)
        return .ok(.init(body: .json(.init(items: try APIValue.convert(page.items), nextCursor: page.nextAfterKey))))
    }

    func getCI(_ input: Operations.getCI.Input) async throws -> Operations.getCI.Output {
        let (item, relationships) = try await cis.item(input.path.ciKey)
        return .ok(.init(body: .json(.init(item: try APIValue.convert(item), relationships: try APIValue.convert(relationships)))))
    }

    func getCIDependents(_ input: Operations.getCIDependents.Input) async throws -> Operations.getCIDependents.Output {
        let items = try await cis.related(input.path.ciKey, dependents: true, transitive: input.query.transitive ?? false)
        return .ok(.init(body: .json(.init(items: try APIValue.convert(items)))))
    }

    func getCIDependencies(_ input: Operations.getCIDependencies.Input) async throws -> Operations.getCIDependencies.Output {
        let items = try await cis.related(input.path.ciKey, dependents: false, transitive: input.query.transitive ?? false)
        return .ok(.init(body: .json(.init(items: try APIValue.convert(items)))))
    }

    func importCIs(_ input: Operations.importCIs.Input) async throws -> Operations.importCIs.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = ImportConfigurationItems(
            format: CIImportFormat(rawValue: body.format.rawValue), content: body.content, dryRun: body.dryRun,
            createOnly: body.createOnly)
        let result = try await commands.send(command, operation: "importCIs", idempotencyKey: input.headers.Idempotency_hyphen_Key,
                                             correlation: "CMDB")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func relateCIs(_ input: Operations.relateCIs.Input) async throws -> Operations.relateCIs.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = RelateConfigurationItems(
            source: input.path.ciKey, kind: CIRelationshipKind(rawValue: body.kind.rawValue), target: body.target)
        let result = try await commands.send(command, operation: "relateCIs", idempotencyKey: input.headers.Idempotency_hyphen_Key,
                                             correlation: "CMDB")
        return .ok(.init(body: .json(.init(changed: result.changed))))
    }

    func unrelateCIs(_ input: Operations.unrelateCIs.Input) async throws -> Operations.unrelateCIs.Output {
        let command = UnrelateConfigurationItems(
            source: input.path.ciKey, kind: CIRelationshipKind(rawValue: input.path.kind.rawValue), target: input.path.target)
        let result = try await commands.send(command, operation: "unrelateCIs", idempotencyKey: input.headers.Idempotency_hyphen_Key,
                                             correlation: "CMDB")
        return .ok(.init(body: .json(.init(changed: result.changed))))
    }
}
