import Synchronization

/// The client's current publishing and consuming connections, readable without the client
/// actor, so a publish goes straight from its caller to the publishing connection.
final class ConnectionSlots: Sendable {
    private let slots = Mutex<(publishing: AMQPConnection?, consuming: AMQPConnection?)>((nil, nil))

    var publishing: AMQPConnection? {
        get { slots.withLock { $0.publishing } }
        set { slots.withLock { $0.publishing = newValue } }
    }

    var consuming: AMQPConnection? {
        get { slots.withLock { $0.consuming } }
        set { slots.withLock { $0.consuming = newValue } }
    }
}
