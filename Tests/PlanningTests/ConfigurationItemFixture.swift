import Contracts
import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport

/// A schema of its own with the CI tables, and a repository on it.
struct ConfigurationItemFixture {
    let repository: CIRepository

    static func make() async throws -> ConfigurationItemFixture {
        let (schema, pool) = try await PlanningTestSchema.make("ci")
        return ConfigurationItemFixture(repository: CIRepository(schema: schema, pool: pool))
    }

    /// Counts of stored CIs and relationships.
    func counts() async throws -> (items: Int, relationships: Int) {
        let schema = repository.schema
        let row = try await repository.pool.query(
            """
            SELECT (SELECT count(*) FROM \(identifier: schema).configuration_items)::int8,
                   (SELECT count(*) FROM \(identifier: schema).ci_relationships)::int8
            """).single()
        let (items, relationships) = try row.decode((Int, Int).self)
        return (items, relationships)
    }

    /// Stores `CI-APP-<n>` items for each number, as applications.
    func items(_ numbers: ClosedRange<Int>) async throws {
        for number in numbers {
            try await repository.upsert(ConfigurationItem(key: Self.key(number), name: "app \(number)", ciClass: .application))
        }
    }

    /// Adds "a depends_on b" for each pair of numbers.
    func dependsOn(_ pairs: [(Int, Int)], kind: CIRelationshipKind = .dependsOn) async throws {
        for (source, target) in pairs {
            try await repository.addRelationship(CIRelationship(source: Self.key(source), target: Self.key(target), kind: kind))
        }
    }

    static func key(_ number: Int) -> String {
        "CI-APP-" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number)
    }

    func drop() async {
        _ = try? await repository.pool.query("DROP SCHEMA \(identifier: repository.schema) CASCADE")
        await repository.pool.close()
    }
}
