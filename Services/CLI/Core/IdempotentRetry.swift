/// When a command is sent a second time with the same `Idempotency-Key`: no answer (the
/// connection failed or dropped) or a 504 (planning did not answer in time) leave the
/// outcome unknown, and the server applies a key once, so one resend is safe and usually
/// settles it. Any other answer is the outcome and is never resent.
public enum IdempotentRetry {
    public static let maximumAttempts = 2
    /// A pause before the resend: a server that just timed out or dropped the connection
    /// gets a moment, and the resend then usually finds the first one's outcome.
    public static let resendDelaySeconds = 1

    /// `status` is nil when no response arrived.
    public static func shouldResend(afterStatus status: Int?, attempt: Int) -> Bool {
        guard attempt < maximumAttempts else { return false }
        guard let status else { return true }
        return status == 504
    }
}
