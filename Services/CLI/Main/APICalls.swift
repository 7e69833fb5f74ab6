import CLICore
import Foundation
import GatewayAPI
import OpenAPIRuntime

/// What a call returned: the value the command wanted, and the body as the server sent it
/// (for `--output json`).
struct Reply<Value: Sendable>: Sendable {
    let value: Value
    let body: Data?
}

extension APISession {
    /// Sends one request (a query, or an operation the document gives no `Idempotency-Key`)
    /// and takes the wanted case from its output, e.g. `{ try $0.ok.body.json }`; any other
    /// answer becomes a `CommandFailure` with the problem's line and exit status.
    func call<Output: Sendable, Value: Sendable>(
        _ operation: (Client) async throws -> Output,
        expecting wanted: (Output) throws -> Value
    ) async throws -> Reply<Value> {
        let (output, exchange) = try await send(operation)
        return try take(output, exchange, wanted)
    }

    /// Sends a command with a fresh `Idempotency-Key`; when no answer arrives or the answer
    /// is 504, sends it once more with the same key (the server applies a key once).
    func command<Output: Sendable, Value: Sendable>(
        _ operation: (Client, _ idempotencyKey: String) async throws -> Output,
        expecting wanted: (Output) throws -> Value
    ) async throws -> Reply<Value> {
        let key = UUID().uuidString.lowercased()
        var attempt = 1
        while true {
            do {
                let (output, exchange) = try await send { try await operation($0, key) }
                if IdempotentRetry.shouldResend(afterStatus: exchange.status, attempt: attempt) {
                    attempt += 1
                    try await Task.sleep(for: .seconds(IdempotentRetry.resendDelaySeconds))
                    continue
                }
                return try take(output, exchange, wanted)
            } catch let failure as CommandFailure where failure.noAnswer {
                guard IdempotentRetry.shouldResend(afterStatus: nil, attempt: attempt) else { throw failure }
                attempt += 1
                try await Task.sleep(for: .seconds(IdempotentRetry.resendDelaySeconds))
            }
        }
    }

    /// Runs the operation with the recorder listening; errors of the generated client become
    /// failures: no response means no answer, a response it could not decode is a failure.
    func send<Output: Sendable>(_ operation: (Client) async throws -> Output) async throws -> (Output, Exchange) {
        let box = ExchangeBox()
        do {
            let output = try await ExchangeBox.$current.withValue(box) { try await operation(client) }
            return (output, box.exchange)
        } catch let error as ClientError {
            guard let response = error.response else { throw CommandFailure.unreachable(server, error.underlyingError) }
            if !(200..<300).contains(response.status.code) {
                throw CommandFailure(status: response.status.code, body: box.exchange.body)
            }
            throw CommandFailure("the server's answer could not be read (\(error.causeDescription) \(error.underlyingError))")
        }
    }

    private func take<Output, Value>(_ output: Output, _ exchange: Exchange, _ wanted: (Output) throws -> Value) throws -> Reply<Value> {
        do {
            return Reply(value: try wanted(output), body: exchange.body)
        } catch {
            throw CommandFailure(status: exchange.status ?? 0, body: exchange.body)
        }
    }
}
