import Contracts
import Foundation
import HummingbirdOTP
import Postgres

extension IdentityStore {
    /// Gives the user a new TOTP secret (replacing any earlier one) and returns the
    /// `otpauth://` URL an authenticator app reads; from now on their logins need a code.
    public func enrollTOTP(for user: GatewayUser) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let secret = LowercaseHex.encode((0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await pool.query("UPDATE \(identifier: schema).users SET totp_secret = \(secret) WHERE id = \(user.id)")
        return TOTP(secret: secret).createAuthenticatorURL(label: user.name, issuer: "Shipboard")
    }

    func totpSecret(of userID: UUID) async throws -> String? {
        try await pool.query("SELECT totp_secret FROM \(identifier: schema).users WHERE id = \(userID)")
            .first?.decode(at: 0, as: String?.self)
    }

    /// A code matches in the current 30-second step or the one before or after (clock drift).
    static func totpMatches(_ code: String, secret: String, now: Date = Date()) -> Bool {
        guard code.count == 6, let value = Int(code) else { return false }
        let totp = TOTP(secret: secret)
        return [-30.0, 0, 30].contains { totp.compute(date: now.addingTimeInterval($0)) == value }
    }

    /// The roles whose users must log in with a TOTP code.
    public func rolesRequiringTOTP() async throws -> Set<Role> {
        let rows = try await pool.query("SELECT role FROM \(identifier: schema).role_policies WHERE require_totp")
        return Set(try rows.compactMap { Role(rawValue: try $0.decode(at: 0, as: String.self)) })
    }

    /// Requires (or stops requiring) a TOTP code at login for every user holding `role`.
    public func setTOTPRequired(_ required: Bool, for role: Role, by actor: String) async throws {
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).role_policies (role, require_totp, updated_by) VALUES (\(role.rawValue), \(required), \(actor))
            ON CONFLICT (role) DO UPDATE SET require_totp = excluded.require_totp, updated_by = excluded.updated_by, updated_at = now()
            """)
    }
}
