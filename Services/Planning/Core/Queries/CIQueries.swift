import Contracts
import Foundation
import Postgres

/// One page of configuration items, ordered by key.
public struct CIPage: Sendable, Equatable {
    public var items: [ConfigurationItem]
    /// Pass as `afterKey` for the next page; nil on the last page.
    public var nextAfterKey: String?
}

/// Read-only CMDB queries for the gateway: a filtered page of CIs and one CI with its direct
/// relationships. Nothing here writes or locks; every value is a bound parameter.
public struct CIQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// CIs of `ciClass` at `site` whose name contains `nameContains` (case-insensitive),
    /// after `afterKey`, at most `limit` (1…200).
    public func items(
        ciClass: CIClass? = nil, site: String? = nil, nameContains: String? = nil, limit: Int = 50, afterKey: String? = nil
    ) async throws -> CIPage {
        var fields: [String: String] = [:]
        if !ReleaseFilter.limits.contains(limit) { fields["limit"] = "must be 1 to 200" }
        for (name, value) in [("site", site), ("q", nameContains), ("cursor", afterKey)] {
            if let value, value.count > 200 || value.unicodeScalars.contains("\0") {
                fields[name] = "must be at most 200 characters without NUL"
            }
        }
        guard fields.isEmpty else {
            throw CommandError(.validation, "the CI list cannot be queried as given", rule: "queries.well_formed", fields: fields)
        }
        let pattern = nameContains.map { "%" + ReleaseQueries.escapedForLike($0) + "%" }
        let rows = try await pool.query(
            """
            SELECT key, name, class, site, attributes::text FROM \(identifier: schema).configuration_items
            WHERE (\(ciClass?.rawValue)::text IS NULL OR class = \(ciClass?.rawValue)::text)
              AND (\(site)::text IS NULL OR site = \(site)::text)
              AND (\(pattern)::text IS NULL OR name ILIKE \(pattern)::text ESCAPE '\\')
              AND (\(afterKey)::text IS NULL OR key > \(afterKey)::text)
            ORDER BY key LIMIT \(limit + 1)
            """)
        let items = try rows.prefix(limit).map(CIRepository.decodeItem)
        return CIPage(items: items, nextAfterKey: rows.count > limit ? items.last?.key : nil)
    }

    /// One CI and every relationship it is the source or target of; `notFound` if unknown.
    public func item(_ key: String) async throws -> (ConfigurationItem, [CIRelationship]) {
        let repository = CIRepository(schema: schema, pool: pool)
        guard let item = try await repository.item(key: key) else { throw Self.unknown(key) }
        return (item, try await repository.relationships(of: key))
    }

    /// Dependents or dependencies of `key`, direct or transitive; `notFound` if unknown.
    public func related(_ key: String, dependents: Bool, transitive: Bool) async throws -> [ConfigurationItem] {
        let repository = CIRepository(schema: schema, pool: pool)
        guard try await repository.item(key: key) != nil else { throw Self.unknown(key) }
        let items: [ConfigurationItem] = switch (dependents, transitive) {
        case (true, true): try await repository.transitiveDependents(of: [key])
        case (true, false): try await repository.dependents(of: key)
        case (false, true): try await repository.transitiveDependencies(of: [key])
        case (false, false): try await repository.dependencies(of: key)
        }
        return items.sorted { $0.key < $1.key }
    }

    static func unknown(_ key: String) -> CommandError {
        CommandError(.notFound, "CI \(key.prefix(40)) does not exist", rule: "cis.exists")
    }
}
