import Contracts
import Foundation

/// The handlers of one consumer, by message type and version.
///
/// Decoding is separate from handling: a message whose payload does not decode is
/// dead-lettered at once (retrying cannot fix it), while a handler error is retried.
public struct MessageHandlers: Sendable {
    /// Runs a decoded message; returns the encoded reply for commands.
    typealias Prepared = @Sendable (HandlerContext) async throws -> Data?
    typealias Prepare = @Sendable (EnvelopeHeader, Data) throws -> Prepared

    private var entries: [String: Prepare] = [:]

    public init() {}

    private static func key(_ type: String, _ version: Int) -> String { "\(type)#\(version)" }

    /// Handles an event (or a command whose sender expects no reply).
    public mutating func on<Message: MessageContract>(
        _ type: Message.Type, _ handler: @escaping @Sendable (Envelope<Message>, HandlerContext) async throws -> Void
    ) {
        entries[Self.key(Message.messageType, Message.version)] = { header, body in
            let envelope = try Envelope<Message>(header: header, body: body)
            return { context in
                try await handler(envelope, context)
                return nil
            }
        }
    }

    /// Handles events of a type this service keeps without their contract (their payload as
    /// any JSON): shipboard-notify stores and renders every event it is told about.
    public mutating func onAnyEvent(
        type: String, version: Int = 1, _ handler: @escaping @Sendable (Envelope<JSONValue>, HandlerContext) async throws -> Void
    ) {
        entries[Self.key(type, version)] = { header, body in
            let envelope = try Envelope<JSONValue>(header: header, body: body)
            return { context in
                try await handler(envelope, context)
                return nil
            }
        }
    }

    /// Handles a command and answers it. Throw `CommandError` to refuse: the refusal is the
    /// reply, the handler's writes roll back, and the message is not retried.
    public mutating func onCommand<Command: CommandContract>(
        _ type: Command.Type,
        _ handler: @escaping @Sendable (Envelope<Command>, HandlerContext) async throws -> Command.Result
    ) {
        entries[Self.key(Command.messageType, Command.version)] = { header, body in
            let envelope = try Envelope<Command>(header: header, body: body)
            return { context in
                let result = try await handler(envelope, context)
                return try ContractCoding.encode(CommandReply<Command.Result>.success(result))
            }
        }
    }

    func prepare(_ header: EnvelopeHeader, body: Data) throws -> Prepared? {
        guard let prepare = entries[Self.key(header.type, header.version)] else { return nil }
        return try prepare(header, body)
    }

    /// The (type, version) pairs handled, e.g. for logs.
    public var handledTypes: [String] { entries.keys.sorted() }
}

/// The reply for a refused command; its encoding does not depend on the result type.
struct CommandRefusal: Encodable {
    let ok = false
    let error: CommandError
}
