/// A message type in the shared language: its wire name and schema version.
///
/// Add a field: keep the version (decoders ignore unknown fields; new fields must be
/// optional or defaulted). Add an enum value: keep the version (every enum on the wire is a
/// ``ContractEnum``: older receivers decode it as `.unknown` and refuse it in commands).
/// Change a field's meaning or remove it: bump the version and keep handling the old one
/// until every sender has moved on.
public protocol MessageContract: Codable, Sendable {
    /// Wire name, e.g. `release.created` or `planning.create_release`.
    static var messageType: String { get }
    static var version: Int { get }
}

extension MessageContract {
    public static var version: Int { 1 }
}

/// A domain event, published on `shipboard.events` with its type as routing key
/// (`<aggregate>.<event>`).
public protocol EventContract: MessageContract {}

extension EventContract {
    public static var routingKey: String { messageType }
}

/// A command to one service, sent on `shipboard.commands` with routing key
/// `<service>.<command>` (its `messageType`), answered with `CommandReply<Result>`.
public protocol CommandContract: MessageContract {
    associatedtype Result: Codable & Sendable
}

extension CommandContract {
    public static var routingKey: String { messageType }
}

/// A command that answers with nothing but success.
public struct Acknowledged: Codable, Sendable, Equatable {
    public init() {}
}
