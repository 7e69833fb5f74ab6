import Foundation
import ShipboardTestSupport

/// Raises and clears a memory alarm on the fault broker (callers hold `FaultBroker.exclusively`).
///
/// Uses the control script's `alarm` / `clear-alarm` verbs; where the script does not have
/// them yet, calls rabbitmqctl for the fault node with the environment the script sets
/// (its HOME holds the Erlang cookie; `/usr/sbin/rabbitmqctl` would switch user and lose it).
enum BrokerAlarm {
    static func raise() async throws {
        try await control(verb: "alarm", watermark: "0.0001")
    }

    static func clear() async throws {
        try await control(verb: "clear-alarm", watermark: "0.4")
    }

    /// Runs `body` under a memory alarm, clearing it afterwards even when `body` throws.
    static func during<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await raise()
        let result: Result<R, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        try await clear()
        return try result.get()
    }

    private static func control(verb: String, watermark: String) async throws {
        if (try? await FaultBroker.control(verb)) != nil { return }
        let script = try TestSettings.value("SHIPBOARD_TEST_FAULT_BROKER_CTL")
        guard let range = script.range(of: "/Infra/scripts/") else {
            throw TestSetupError("cannot find the repository from SHIPBOARD_TEST_FAULT_BROKER_CTL")
        }
        let instance = String(script[..<range.lowerBound]) + "/.run/rabbitmq/fault"
        let command = """
            HOME='\(instance)/home' RABBITMQ_NODENAME=shipboard-fault@localhost ERL_EPMD_ADDRESS=127.0.0.1 \
            ERL_EPMD_PORT=54379 RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
            /usr/lib/rabbitmq/bin/rabbitmqctl set_vm_memory_high_watermark \(watermark) </dev/null >/dev/null
            """
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", command]
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else { throw TestSetupError("rabbitmqctl set_vm_memory_high_watermark \(watermark) exited with \(status)") }
    }
}
