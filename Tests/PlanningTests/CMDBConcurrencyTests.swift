import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// CMDB commands at the same moment: each takes the CMDB lock before it reads or writes, so
/// of two relates A→B and B→A sent together exactly one reports the cycle it closes.
/// Against the real servers, through request/reply (the consumer handles requests in parallel).
@Suite("CMDB commands sent at the same moment", .serialized)
struct CMDBConcurrencyTests {
    @Test("twenty pairs of opposite dependencies sent together: in each pair exactly one reports the cycle")
    func oppositeRelates() async throws {
        try await PlanningHarness.run { harness in
            let pairs = 20
            let content = "key,name,class\n" + (1...(2 * pairs)).map { "CI-APP-\(String(format: "%04d", $0)),App \($0),application" }
                .joined(separator: "\n") + "\n"
            _ = try await harness.send(ImportConfigurationItems(format: .csv, content: content))
            try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for pair in 0..<pairs {
                    let a = String(format: "CI-APP-%04d", 2 * pair + 1)
                    let b = String(format: "CI-APP-%04d", 2 * pair + 2)
                    for (source, target) in [(a, b), (b, a)] {
                        group.addTask {
                            let reply = try await harness.send(RelateConfigurationItems(source: source, kind: .dependsOn, target: target))
                            return (pair, reply.createsCycle ?? false)
                        }
                    }
                }
                var cycles = [Int](repeating: 0, count: pairs)
                for try await (pair, createsCycle) in group where createsCycle { cycles[pair] += 1 }
                #expect(cycles == [Int](repeating: 1, count: pairs), "cycles reported per pair: \(cycles)")
            }
            let entries = try await AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring).reader.entries(chain: "CMDB", pool: harness.pool)
            #expect(entries.count == 1 + 2 * pairs)
        }
    }
}
