import Foundation

/// The RabbitMQ node that fault tests stop, start, kill, pause, resume and alarm
/// (`rabbitmq.sh --instance fault`, AMQP on 127.0.0.1:55682, `SHIPBOARD_TEST_FAULT_AMQP_URL`).
/// Never the `main` node: other tests use it.
///
/// - Hold ``exclusively(_:)`` around a test that changes the node's state.
/// - Every verb returns once done: `start` when the node is usable, an alarm once the node
///   reports it raised or cleared.
/// - A node restart clears alarms; ``withAlarm(disk:_:)`` clears its alarm even when the
///   body throws, so a failing test does not leave every later publisher blocked.
public enum FaultBroker {
    /// Runs the control script with `command` (`start`, `stop`, `kill`, `pause`, `resume`,
    /// `alarm`, `clear-alarm`, `disk-alarm`, `clear-disk-alarm`).
    public static func control(_ command: String) async throws {
        try await ControlScript.run(try TestSettings.value("SHIPBOARD_TEST_FAULT_BROKER_CTL"), command)
    }

    /// Raises a memory alarm (watermark 0.0001): the node sends `connection.blocked` to
    /// every connection that publishes and stops reading from it.
    public static func raiseAlarm() async throws { try await control("alarm") }

    /// Clears the memory alarm (watermark 0.4): `connection.unblocked`.
    public static func clearAlarm() async throws { try await control("clear-alarm") }

    /// Raises a disk alarm (free-disk limit 1 PB): the same blocking as a memory alarm.
    public static func raiseDiskAlarm() async throws { try await control("disk-alarm") }

    /// Clears the disk alarm (limit back to 50 MB).
    public static func clearDiskAlarm() async throws { try await control("clear-disk-alarm") }

    /// Raises an alarm, runs `body`, and clears the alarm again, also when `body` throws.
    public static func withAlarm<R: Sendable>(disk: Bool = false, _ body: () async throws -> R) async throws -> R {
        try await control(disk ? "disk-alarm" : "alarm")
        let result: R
        do {
            result = try await body()
        } catch {
            try? await control(disk ? "clear-disk-alarm" : "clear-alarm")
            throw error
        }
        try await control(disk ? "clear-disk-alarm" : "clear-alarm")
        return result
    }

    /// Holds an exclusive lock on the fault broker for the whole of `body`: fault tests live
    /// in several test targets that `swift test` runs in one process, in parallel, and one
    /// test's broker restart must not land in the middle of another's. `servers.sh start-test`
    /// leaves the node alone while a test holds the lock.
    ///
    /// The node is resumed and started (both no-ops when it runs) before `body`, and again
    /// after it, also when it throws: a test killed half-way (or a crashed test process)
    /// must not leave the node stopped or frozen for the next one.
    public static func exclusively<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await CrossProcessLock.exclusively("shipboard-fault-broker", restoring: restore, body)
    }

    /// Running and unfrozen, whatever state the last test left.
    private static func restore() async throws {
        try? await control("resume")  // fails when the node is not running: then start starts it
        try await control("start")
    }
}
