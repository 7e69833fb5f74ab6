import Foundation
import Postgres

/// The PostgreSQL instance that fault tests stop, start, kill, pause and resume
/// (`postgres.sh --instance fault`: 127.0.0.1:55442, database `shipboard_test`, the same
/// roles and passwords as the main instance, which fault tests never touch).
///
/// - Hold ``exclusively(_:)`` around a test that changes the instance's state; when the
///   body ends (also by throwing) the instance is started or resumed again, so a failing
///   test never leaves it down for the next one.
/// - Every verb returns once done: `start` when the server accepts connections, `stop`
///   after a fast shutdown, `kill` when every server process is gone (a crash: the next
///   start runs crash recovery), `pause`/`resume` after SIGSTOP/SIGCONT of the postmaster
///   and every backend (a frozen server: open connections hang, new ones time out).
/// - ``withOutage(_:_:)`` brings the server back even when its body throws.
public enum FaultPostgres {
    /// How the server goes away in ``withOutage(_:_:)``.
    public enum Outage: String, Sendable {
        /// Fast shutdown: clients get `57P01 admin_shutdown`, new connections are refused.
        case stop
        /// SIGKILL of every server process: connections drop without a word.
        case kill
        /// SIGSTOP: connections stay open and nothing answers.
        case pause
    }

    /// A role of the instance, as in `.run/env`.
    public enum Role: Sendable {
        /// `shipboard`, owner of `shipboard_test` (runs migrations, creates schemas).
        case owner
        /// `shipboard_service`, what services log in as.
        case service
        /// `postgres`, superuser (e.g. to read `pg_stat_activity` of every role).
        case admin
    }

    /// The URL of `role` on the fault instance.
    public static func url(_ role: Role = .owner) throws -> String {
        switch role {
        case .owner: try TestSettings.value("SHIPBOARD_TEST_FAULT_DATABASE_URL")
        case .service: try TestSettings.value("SHIPBOARD_TEST_FAULT_DATABASE_SERVICE_URL")
        case .admin: try TestSettings.value("SHIPBOARD_TEST_FAULT_DATABASE_ADMIN_URL")
        }
    }

    /// A configuration for `role` on the fault instance.
    public static func configuration(_ role: Role = .owner) throws -> PostgresConfiguration {
        try PostgresConfiguration(url: url(role))
    }

    /// Runs the control script with `verb` (`start`, `stop`, `kill`, `pause`, `resume`).
    public static func control(_ verb: String) async throws {
        try await ControlScript.run(try TestSettings.value("SHIPBOARD_TEST_FAULT_DATABASE_CTL"), verb)
    }

    /// Starts the server (or resumes it when paused); returns when it accepts connections.
    public static func start() async throws { try await control("start") }
    /// Fast shutdown.
    public static func stop() async throws { try await control("stop") }
    /// SIGKILL of the postmaster and every backend at once.
    public static func kill() async throws { try await control("kill") }
    /// SIGSTOP of the postmaster and every backend.
    public static func pause() async throws { try await control("pause") }
    /// SIGCONT of the postmaster and every backend.
    public static func resume() async throws { try await control("resume") }

    /// True when the server runs (also when paused).
    public static func isRunning() async throws -> Bool {
        let command = try TestSettings.value("SHIPBOARD_TEST_FAULT_DATABASE_CTL")
        return try await ControlScript.run(command, "status", accepting: [0, 3]).status == 0
    }

    /// Takes the server away the `outage` way, runs `body`, and brings it back (`start`
    /// after a stop or kill, `resume` after a pause), also when `body` throws.
    public static func withOutage<R: Sendable>(_ outage: Outage, _ body: () async throws -> R) async throws -> R {
        try await control(outage.rawValue)
        let result: R
        do {
            result = try await body()
        } catch {
            try? await control(outage == .pause ? "resume" : "start")
            throw error
        }
        try await control(outage == .pause ? "resume" : "start")
        return result
    }

    /// Holds an exclusive lock on the fault instance for the whole of `body` (fault tests
    /// of several targets run in one process, in parallel), then makes sure the server
    /// runs (before and after `body`). `servers.sh start-test` leaves the instance alone while a test holds it.
    public static func exclusively<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await CrossProcessLock.exclusively("shipboard-fault-postgres", restoring: start, body)
    }
}
