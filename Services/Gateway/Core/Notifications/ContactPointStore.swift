import Contracts
import Foundation
import NotificationCore
import Postgres

/// A person's contact points in `<schema>.contact_points`, beside their identity: the gateway
/// writes them (as it writes users); shipboard-notify reads them to reach people. A
/// replacement is one transaction, so a reader never sees half of it.
public struct ContactPointStore: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = GatewaySchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// The user's contact points (none stored: every field absent).
    public func contacts(of userID: UUID) async throws -> ContactPoints {
        let rows = try await pool.query(
            "SELECT channel, address FROM \(identifier: schema).contact_points WHERE user_id = \(userID)")
        var contacts = ContactPoints()
        for row in rows {
            let (channel, address) = try row.decode((String, String).self)
            switch channel {
            case "email": contacts.email = address
            case "webhook": contacts.webhook = address
            case "chat": contacts.chat = address
            default: throw CommandError(.internal, "a stored contact point has an unknown channel", rule: "notify.contact_point")
            }
        }
        return contacts
    }

    /// Replaces the user's contact points with `contacts` (checked under `policy` first;
    /// nothing is written when one is refused) and answers what is stored.
    @discardableResult
    public func replace(_ contacts: ContactPoints, of userID: UUID, policy: OutboundURLPolicy) async throws -> ContactPoints {
        let kept = try contacts.checked(policy: policy)
        try await pool.withTransaction { transaction in
            try await transaction.query("DELETE FROM \(identifier: schema).contact_points WHERE user_id = \(userID)")
            for (channel, address) in kept {
                try await transaction.query(
                    """
                    INSERT INTO \(identifier: schema).contact_points (user_id, channel, address)
                    VALUES (\(userID), \(channel.rawValue), \(address))
                    """)
            }
        }
        return try await self.contacts(of: userID)
    }
}
