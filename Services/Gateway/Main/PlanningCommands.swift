import Contracts
import Crypto
import Foundation
import Messaging

/// Sends a command to shipboard-planning by request/reply on behalf of the request's user and
/// waits for its answer: the result, or the `CommandError` planning refused it with (a 504
/// problem when no answer came in time). The actor is always the authenticated user.
///
/// With an `Idempotency-Key`, the envelope id is derived from the user, the operation and the
/// key: a resend (after a timeout, a double click) is the same message, and planning's inbox
/// answers it with the stored reply instead of applying it twice. Without one, every request
/// is a new command.
struct PlanningCommands: Sendable {
    let requests: RequestClient
    let timeout: Duration

    func send<Command: CommandContract>(
        _ command: Command, operation: String, idempotencyKey: String?, correlation: String? = nil
    ) async throws -> Command.Result {
        guard let scope = RequestScope.current, let user = scope.user else {
            throw CommandError(.forbidden, "you may not do this", rule: "auth.role")
        }
        if let idempotencyKey, UUID(uuidString: idempotencyKey) == nil {
            throw CommandError(
                .validation, "an Idempotency-Key is a UUID", rule: "requests.idempotency_key",
                fields: ["Idempotency-Key": "must be a UUID"])
        }
        let id = idempotencyKey.map { Self.envelopeID(user: user.id, operation: operation, key: $0) } ?? UUID()
        // The correlation id groups a release's messages (and its log lines); a key from the
        // path is used only when it is well-formed, else the request's id (checked the same way).
        let correlationId = correlation.flatMap(WellFormedID.accepted) ?? scope.requestID
        let envelope = Envelope(command, correlationId: correlationId, actor: user.name, id: id)
        return try await requests.send(envelope, timeout: timeout, trace: scope.trace.child())
    }

    /// A name-based UUID (version 8 layout) from SHA-256 of user, operation and key: the same
    /// three always give the same id; any other user or operation, another id.
    static func envelopeID(user: UUID, operation: String, key: String) -> UUID {
        let digest = SHA256.hash(data: Data("\(user.uuidString.lowercased())\n\(operation)\n\(key.lowercased())".utf8))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
