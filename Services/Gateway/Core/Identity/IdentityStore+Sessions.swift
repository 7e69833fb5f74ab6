import Contracts
import Foundation
import HummingbirdOTP
import PlanningCore
import Postgres

/// A session as created at login: the two values only the browser keeps.
public struct IssuedSession: Sendable {
    /// The cookie value (`shipboard_session`).
    public let cookie: String
    /// Sent back by the page in `X-CSRF-Token` on every request that changes something.
    public let csrfToken: String
    public let expiresAt: Date
}

/// Why a login was refused.
public enum LoginRefusal: Error, Sendable, Equatable {
    /// Wrong name or password (indistinguishable), or a disabled user.
    case badCredentials
    /// The password was right; a TOTP code is required and was missing or wrong.
    case secondFactor
    /// Too many failures for the account or the address; try again after the date.
    case throttled(until: Date)
}

extension IdentityStore {
    /// How long a web session lasts.
    public static let sessionLifetime: Duration = .seconds(12 * 3600)

    /// Password login (with a TOTP code when the user has one or a role of theirs requires
    /// it), rate-limited per account and per client `address`. Every failure counts.
    public func login(name: String, password: String, totp: String?, address: String) async throws -> (GatewayUser, IssuedSession) {
        let account = Self.bounded(PersonID.normalized(name))
        let subjects: [(LoginThrottle.Scope, String)] = [(.account, account.isEmpty ? "-" : account), (.address, Self.bounded(address))]
        if let until = try await blockedUntil(subjects) { throw LoginRefusal.throttled(until: until) }
        guard let user = try await authenticate(name: name, password: String(password.prefix(200))) else {
            try await recordFailure(subjects)
            throw LoginRefusal.badCredentials
        }
        let secret = try await totpSecret(of: user.id)
        let roleRequires = !(try await rolesRequiringTOTP()).isDisjoint(with: user.roles)
        if secret != nil || roleRequires {
            guard let secret, let totp, Self.totpMatches(totp, secret: secret) else {
                try await recordFailure(subjects)
                throw LoginRefusal.secondFactor
            }
        }
        try await pool.query(
            "DELETE FROM \(identifier: schema).login_failures WHERE scope = 'account' AND subject = \(subjects[0].1)")
        let cookie = APIToken.generate(), csrf = APIToken.generate()
        let seconds = Double(Self.sessionLifetime.components.seconds)
        let expiresAt = try await pool.query(
            """
            INSERT INTO \(identifier: schema).sessions (session_hash, csrf_hash, user_id, expires_at)
            VALUES (\(cookie.storedHash), \(csrf.storedHash), \(user.id), now() + make_interval(secs => \(seconds)))
            RETURNING expires_at
            """).single().decode(at: 0, as: Date.self)
        return (user, IssuedSession(cookie: cookie.secret, csrfToken: csrf.secret, expiresAt: expiresAt))
    }

    /// The user of a live session and the SHA-256 of its CSRF token; nil for anything else.
    /// Cookie and CSRF token are made like API tokens (``APIToken``), and checked the same way.
    public func authenticate(session presented: String) async throws -> (GatewayUser, csrfHash: String)? {
        guard let cookie = APIToken(presented: presented) else { return nil }
        let rows = try await pool.query(
            """
            SELECT u.id, u.name, array_to_json(u.roles)::text, s.csrf_hash
            FROM \(identifier: schema).sessions s JOIN \(identifier: schema).users u ON s.user_id = u.id
            WHERE s.session_hash = \(cookie.storedHash) AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled
            """)
        guard let row = rows.first else { return nil }
        return (try Self.decodeUser(row), try row.decode(at: 3, as: String.self))
    }

    /// Ends a session (logout).
    public func revokeSession(_ presented: String) async throws {
        guard let cookie = APIToken(presented: presented) else { return }
        try await pool.query(
            "UPDATE \(identifier: schema).sessions SET revoked_at = now() WHERE session_hash = \(cookie.storedHash) AND revoked_at IS NULL")
    }

    /// At most 200 Unicode scalars, as the table counts them (`length` in PostgreSQL: 200
    /// characters of combining marks can be thousands of scalars), and no NUL (PostgreSQL
    /// text cannot hold one; it becomes U+FFFD).
    static func bounded(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value == 0 ? "\u{FFFD}" : $0 }))
    }

    private func blockedUntil(_ subjects: [(LoginThrottle.Scope, String)]) async throws -> Date? {
        var until: Date?
        for (scope, subject) in subjects {
            let rows = try await pool.query(
                """
                SELECT failures, window_start, now() FROM \(identifier: schema).login_failures
                WHERE scope = \(scope.rawValue) AND subject = \(subject)
                """)
            guard let row = rows.first else { continue }
            let (failures, start, now) = try row.decode((Int, Date, Date).self)
            if let end = LoginThrottle.of(scope).blockedUntil(failures: failures, windowStart: start, now: now) {
                until = max(until ?? end, end)
            }
        }
        return until
    }

    /// One more failure for each subject, in one statement per subject (concurrent failures
    /// all count: the row is updated in place).
    private func recordFailure(_ subjects: [(LoginThrottle.Scope, String)]) async throws {
        for (scope, subject) in subjects {
            let window = Double(LoginThrottle.of(scope).window.components.seconds)
            try await pool.query(
                """
                INSERT INTO \(identifier: schema).login_failures AS f (scope, subject, window_start, failures)
                VALUES (\(scope.rawValue), \(subject), now(), 1)
                ON CONFLICT (scope, subject) DO UPDATE SET
                    failures = CASE WHEN f.window_start + make_interval(secs => \(window)) <= now() THEN 1 ELSE f.failures + 1 END,
                    window_start = CASE WHEN f.window_start + make_interval(secs => \(window)) <= now() THEN now() ELSE f.window_start END
                """)
        }
    }
}
