import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// What a user and an operator see when things go wrong: the database down for a while,
/// and a command resent after it timed out. Each ends in a clear answer and never a lost or
/// doubled effect.
@Suite("Gateway: database outage and resends after a timeout", .serialized)
struct GatewayOutageTests {
    @Test("PostgreSQL down: requests get 503 problems, never a 500 or a hang; once it is back they succeed again")
    func databaseDown() async throws {
        try await FaultPostgres.exclusively {
            try await GatewayStack.with(planningRuns: false, onFaultDatabase: true) { stack in
                #expect(try await stack.call("GET", "/api/v1/releases?limit=1", as: .viewer).status == 200)
                try await FaultPostgres.stop()
                for (path, role) in [("/api/v1/releases?limit=1", Role.viewer), ("/api/v1/me", .admin), ("/api/v1/cis?limit=1", .tester),
                                     ("/api/v1/releases/REL-000001/work-plan", .viewer), ("/api/v1/freeze-windows", .viewer),
                                     ("/api/v1/releases/REL-000001/deployment-guards", .viewer), ("/api/v1/calendar.ics", .viewer)] {
                    let started = Date()
                    let response = try await stack.call("GET", path, as: role)
                    #expect(response.status == 503 && response.isProblem, "\(path): \(response.status) \(String(decoding: response.data, as: UTF8.self))")
                    #expect(response.problemType?.hasPrefix("urn:shipboard:problem:unavailable:") == true)
                    #expect(Date().timeIntervalSince(started) < 20, "answered, not hung")
                }
                let login = try await stack.call("POST", "/api/v1/session", json: ["name": "nobody", "password": "whatever it is"])
                #expect(login.status == 503 && login.isProblem, "\(login.status)")
                try await FaultPostgres.start()
                var status = 0
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline, status != 200 {
                    status = try await stack.call("GET", "/api/v1/releases?limit=1", as: .viewer).status
                    if status != 200 { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(status == 200, "the gateway recovers without a restart")
            }
        }
    }

    @Test("a create that timed out, resent with the same key once planning is back: at most one release; a new key makes exactly one")
    func resendAfterTimeout() async throws {
        try await GatewayStack.with(commandTimeoutSeconds: 2, planningRuns: false) { stack in
            let title = "Resent \(stack.suffix)"
            func create(_ key: String) async throws -> GatewayStack.Response {
                try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": title], headers: ["Idempotency-Key": key])
            }
            func count() async throws -> Int {
                let page = try await stack.call("GET", "/api/v1/releases?limit=200&q=\(title.replacingOccurrences(of: " ", with: "%20"))", as: .viewer)
                return (page.json["items"] as? [[String: Any]] ?? []).count
            }
            let key = UUID().uuidString
            let first = try await create(key)
            #expect(first.status == 504 && first.problemType?.hasPrefix("urn:shipboard:problem:timeout:") == true)

            try stack.startPlanning()
            try await stack.waitUntilPlanningAnswers()
            _ = try await create(key)
            let afterResend = try await count()
            #expect(afterResend <= 1, "a resend never doubles the release")
            // Asked once more, the answer says what happened, and nothing more happens.
            let settled = try await create(key)
            if afterResend == 1 {
                #expect(settled.status == 201, "applied once, and the resend is told so: \(settled.status)")
            } else {
                #expect(settled.status == 504 && settled.problemType == "urn:shipboard:problem:timeout:messages.deadline",
                        "not applied, and the resend is told so: \(String(decoding: settled.data, as: UTF8.self))")
            }
            #expect(try await count() == afterResend)

            let fresh = UUID().uuidString
            let made = try await create(fresh)
            let clicked = try await create(fresh)
            #expect(made.status == 201 && clicked.status == 201 && made.json["releaseKey"] as? String == clicked.json["releaseKey"] as? String)
            #expect(try await count() == afterResend + 1)
        }
    }
}
