import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Freezes one PostgreSQL backend with SIGSTOP, only ever the test's own.
///
/// The pid is checked against `pg_stat_activity` on a superuser connection: it must be a
/// client backend whose `application_name` is the test's unique name. The backend is always
/// continued (SIGCONT) when the body ends, however it ends, and by a safety net after
/// `safetyNet` if the body is stuck (as it is on a client that waits forever).
enum FrozenBackend {
    /// The pid of the backend serving the connection named `applicationName`, after making
    /// sure it is exactly one client backend of that name.
    static func pid(of applicationName: String) async throws -> Int32 {
        let admin = try await PostgresConnection.connect(configuration: TestDatabase.configuration(admin: true))
        let pids = try await admin.query(
            """
            SELECT pid FROM pg_stat_activity
            WHERE application_name = \(applicationName) AND backend_type = 'client backend'
            """
        ).map { try $0.decode(Int32.self) }
        await admin.close()
        guard pids.count == 1, let pid = pids.first, pid > 0 else {
            throw TestSetupError(description: "expected one backend named \(applicationName), found \(pids.count)")
        }
        return pid
    }

    /// Runs `body` while backend `pid` is stopped.
    static func whileFrozen<Result>(
        _ pid: Int32, safetyNet: Duration = .seconds(15), _ body: () async throws -> Result
    ) async throws -> Result {
        guard kill(pid, SIGSTOP) == 0 else {
            throw TestSetupError(description: "cannot SIGSTOP backend \(pid) (errno \(errno)); the tests must run as root or postgres")
        }
        let thaw = Task {
            guard (try? await Task.sleep(for: safetyNet)) != nil else { return }
            kill(pid, SIGCONT)
        }
        defer {
            kill(pid, SIGCONT)
            thaw.cancel()
        }
        return try await body()
    }

    /// Whether backend `pid` is still listed (a frozen one stays until continued).
    static func exists(_ pid: Int32) async throws -> Bool {
        let admin = try await PostgresConnection.connect(configuration: TestDatabase.configuration(admin: true))
        let count = try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)").single().decode(Int.self)
        await admin.close()
        return count > 0
    }
}
