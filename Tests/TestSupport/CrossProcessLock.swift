import Foundation
import Glibc

/// An exclusive lock shared by every test process on this machine (`flock` on a file in
/// the temporary folder), for tests that must not overlap on a shared server: released
/// when `body` returns or throws, or when the process dies.
public enum CrossProcessLock {
    public static func exclusively<R: Sendable>(_ name: String, _ body: () async throws -> R) async throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).lock").path
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TestSettingsError(description: "cannot open \(path)") }
        defer { close(descriptor) }  // closing releases the lock
        let locked = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread {
                // flock returns EINTR when a signal arrives while it waits (SIGCHLD from the
                // processes tests start), so wait again until it really holds the lock.
                var result = flock(descriptor, LOCK_EX)
                while result != 0 && errno == EINTR { result = flock(descriptor, LOCK_EX) }
                continuation.resume(returning: result == 0)
            }
        }
        guard locked else { throw TestSettingsError(description: "cannot lock \(path): errno \(errno)") }
        return try await body()
    }

    /// ``exclusively(_:_:)`` around a shared server a test may stop, kill or freeze:
    /// `restore` (bring it back running) runs before `body` and after it, also when it
    /// throws, so a test that died half-way never hands the next one a server that is down.
    public static func exclusively<R: Sendable>(
        _ name: String, restoring restore: () async throws -> Void, _ body: () async throws -> R
    ) async throws -> R {
        try await exclusively(name) {
            try await restore()
            let result: R
            do {
                result = try await body()
            } catch {
                try? await restore()
                throw error
            }
            try await restore()
            return result
        }
    }
}
