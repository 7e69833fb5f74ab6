import Foundation
import GatewayCore
import Testing

/// The authorization table against the OpenAPI document: every operation has a rule (a new
/// route without one fails here), no rule names an operation that does not exist, and the
/// defaults refuse what no rule allows.
@Suite("Gateway access: one table for every operation")
struct GatewayAccessTests {
    /// The operationIds of Services/Gateway/API/openapi.json.
    static func documentedOperations() throws -> Set<String> {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Services/Gateway/API/openapi.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: document)) as? [String: Any])
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        var operations: Set<String> = []
        for methods in paths.values {
            for case let operation as [String: Any] in methods.values {
                if let id = operation["operationId"] as? String { operations.insert(id) }
            }
        }
        return operations
    }

    @Test("every documented operation has a rule, and every rule a documented operation")
    func tableCoversTheDocument() throws {
        let documented = try Self.documentedOperations()
        #expect(!documented.isEmpty)
        #expect(documented.subtracting(GatewayAccess.rules.keys).isEmpty, "operations without a rule")
        #expect(Set(GatewayAccess.rules.keys).subtracting(documented).isEmpty, "rules for operations that do not exist")
    }

    @Test("no role, no access; an operation without a rule is refused to everyone; only the document, the login and the calendar subscription URL (its own token) are public")
    func defaults() throws {
        #expect(!GatewayAccess.allows("getRelease", roles: []), "no role, no release")
        #expect(!GatewayAccess.allows("deleteEverything", roles: Set(Role.allCases)), "an operation without a rule is refused to everyone")
        let public_ = Set(GatewayAccess.rules.filter { $0.value == .everyone }.map(\.key))
        #expect(public_ == ["getOpenAPIDocument", "createSession", "getSubscribedCalendarFeed"],
                "only the document, the login and the subscribed calendar feed (which checks the token in its path) are public")
        // The full operation × role matrix runs over HTTP: AuthorizationMatrixTests.
    }
}
