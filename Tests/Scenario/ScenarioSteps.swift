import Contracts
import Foundation
import Messaging

/// Sends the commands of the scenario and prints what happened, one line a step.
struct ScenarioSteps {
    let requests: RequestClient

    /// Sends `command` as `actor`; prints and returns the result, or throws the refusal.
    @discardableResult
    func send<C: CommandContract>(_ step: String, _ command: C, as actor: String, correlationId: String = "scenario")
        async throws(CommandError) -> C.Result
    {
        do {
            let result = try await requests.send(Envelope(command, correlationId: correlationId, actor: actor), timeout: .seconds(15))
            print("  ✓ \(step)")
            return result
        } catch {
            print("  ✗ \(step): \(error.kind.rawValue) \(error.rule ?? "") — \(error.message)")
            throw error
        }
    }

    /// Sends a command that may already have taken effect on an earlier run (e.g. adding an
    /// approver twice): a conflict with `rule` is reported and accepted.
    func ensure<C: CommandContract>(_ step: String, _ command: C, as actor: String, alreadyRule: String) async throws(CommandError) {
        do {
            _ = try await requests.send(Envelope(command, correlationId: "scenario", actor: actor), timeout: .seconds(15))
            print("  ✓ \(step)")
        } catch where error.rule == alreadyRule {
            print("  ✓ \(step) (already so)")
        }
    }

    /// Sends a command the scenario expects to be refused with `rule`, and shows the refusal.
    func expectRefusal<C: CommandContract>(_ step: String, _ command: C, as actor: String, rule: String, correlationId: String)
        async throws
    {
        do {
            _ = try await requests.send(Envelope(command, correlationId: correlationId, actor: actor), timeout: .seconds(15))
            throw ScenarioFailure("\(step) was accepted; expected the refusal \(rule)")
        } catch let error as CommandError where error.rule == rule {
            print("  ✓ \(step) refused as expected: \(error.message)")
        }
    }
}

struct ScenarioFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
