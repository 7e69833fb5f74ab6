import Contracts
import Foundation

extension DeployWorker {
    /// Runs one claimed job through the driver and says how it ended. Never throws: trouble
    /// before or around the scripts is an `error` outcome, tried again as a new attempt.
    func attempt(_ claimed: ClaimedJob, attributes: [String: String]) async -> AttemptResult {
        let started = ContinuousClock.now
        let job = claimed.job
        func result(_ state: RolloutTargetState, _ outcome: String, _ detail: String?, _ log: String) -> AttemptResult {
            AttemptResult(
                claimed: claimed, targetState: state, outcome: outcome, detail: detail.map { Self.bounded($0, bytes: 2000) },
                log: Self.bounded(log, bytes: 60_000), duration: ContinuousClock.now - started)
        }
        // After trouble the target is as before the attempt: not installed (deploy) or still
        // installed (backout), unless it has had its share of attempts.
        func trouble(_ reason: String, cancelled: Bool = false) -> AttemptResult {
            let again: RolloutTargetState = job.action == .deploy ? .pending : .succeeded
            let state = !cancelled && job.attempt >= AttemptResult.maxErrorAttempts ? .failed : again
            return result(state, cancelled ? "abandoned" : "error", reason, "== \(reason)")
        }
        let archive: String
        do {
            archive = try await images.archive(sha256: claimed.image.sha256)
        } catch {
            return trouble("the image could not be fetched from the DML: \(error)")
        }
        let attempt = DeployAttempt(
            image: DeployImage(
                archive: archive, sha256: claimed.image.sha256, name: claimed.image.name, version: claimed.image.version,
                releaseKey: claimed.releaseKey),
            target: DeployTarget(ciKey: claimed.target, site: claimed.site, attributes: attributes),
            rolloutID: job.rolloutId, taskKey: job.taskKey, attempt: job.attempt)
        do {
            let outcome = job.action == .backout ? try await driver.backOut(attempt) : try await driver.deploy(attempt)
            guard outcome.succeeded else {
                let reason = outcome.failureReason ?? "a script failed"
                return result(.failed, "failed", job.action == .backout ? "backout failed: \(reason)" : reason, outcome.log)
            }
            return result(job.action == .backout ? .backedOut : .succeeded, "succeeded", nil, outcome.log)
        } catch .cancelled {
            return trouble("this replica stopped during the attempt", cancelled: true)
        } catch {
            return trouble(error.description)
        }
    }

    /// Text the database can keep: no NUL, at most `bytes` UTF-8 bytes (cut on a character).
    static func bounded(_ text: String, bytes: Int) -> String {
        let cleaned = text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "\u{FFFD}") : text
        guard cleaned.utf8.count > bytes else { return cleaned }
        // A character cut in half decodes as one U+FFFD (3 bytes): the cut leaves room for it and the ellipsis.
        return String(decoding: Array(cleaned.utf8.prefix(bytes - 6)), as: UTF8.self) + "…"
    }
}
