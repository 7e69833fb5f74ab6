import Foundation
import Glibc
import Synchronization

/// A TCP proxy owned by one test: listens on `host:port` (127.0.0.1 and a free port by
/// default), forwards every connection to a target server, and degrades the path on
/// demand: delay with jitter, blackhole, reset, cut.
///
/// - A client reaches the server through ``port`` (``rewrite(url:)`` turns a server URL
///   into one through the proxy); the server sees the proxy as its client.
/// - Bytes keep their order in every mode (a delayed chunk never overtakes an earlier one),
///   as TCP's would: the proxy degrades timing and liveness, never the byte stream.
/// - ``blackhole()`` stops forwarding and accepting but keeps every socket open (half-open
///   connections: peers wait until a timeout or heartbeat tells them); ``pass()`` resumes
///   with nothing lost. ``resetAll()`` closes every connection with an RST; ``cut()`` also
///   refuses new ones (reset at once) until ``restore()``.
/// - One thread per proxy runs a `poll()` loop that owns every socket; the methods only
///   change the shared settings and wake it. ``close()`` (or deinit) ends the thread and
///   closes every socket.
public final class TCPProxy: Sendable {
    /// How the proxy forwards.
    public enum Mode: Sendable, Equatable {
        /// Forward at once.
        case pass
        /// Forward each chunk after `latency` ± a random `jitter` (order kept).
        case delay(Duration, jitter: Duration = .zero)
        /// Forward nothing, accept nothing, keep every socket open.
        case blackhole
    }

    /// What went through the proxy so far.
    public struct Statistics: Sendable, Equatable {
        /// Connections accepted (including those reset at once while cut).
        public var accepted = 0
        /// Connections currently open.
        public var open = 0
        /// Bytes written to the target.
        public var bytesToTarget = 0
        /// Bytes written back to clients.
        public var bytesToClient = 0
    }

    /// Address the proxy listens on.
    public let host: String
    /// Port the proxy listens on.
    public let port: Int
    let control: TCPProxyControl

    /// Starts a proxy listening on `host:listeningPort` (0 = a free port) that forwards to
    /// `targetHost:port`. Throws when the listening socket cannot be made.
    public convenience init(listeningOn host: String = "127.0.0.1", listeningPort: Int = 0, forwardingTo targetHost: String, port: Int) throws {
        try self.init(listeningOn: host, listeningPort: listeningPort, forwardingTo: targetHost, port: port, connectingFrom: nil)
    }

    /// With `namespace` (a path such as `/run/netns/NAME`), the forwarding thread enters
    /// that network namespace after the listener is made: clients reach the proxy in this
    /// namespace, and its connections to the target start from the other one.
    init(listeningOn host: String, listeningPort: Int, forwardingTo targetHost: String, port targetPort: Int, connectingFrom namespace: String?) throws {
        let target = try Socket.address(targetHost, targetPort)
        let listener = try Socket.listen(host, listeningPort)
        self.host = host
        self.port = listener.port
        let control = try TCPProxyControl()
        self.control = control
        let descriptor = listener.descriptor
        Thread.detachNewThread {
            TCPProxyLoop(control: control, listener: descriptor, target: target, namespace: namespace).run()
        }
    }

    /// A proxy in front of the server of `url` (any scheme with a host and a port).
    public convenience init(listeningOn host: String = "127.0.0.1", forwardingTo url: String) throws {
        guard let components = URLComponents(string: url), let targetHost = components.host, let targetPort = components.port else {
            throw TestSettingsError(description: "TCPProxy: the URL has no host and port")
        }
        try self.init(listeningOn: host, forwardingTo: targetHost, port: targetPort)
    }

    deinit {
        control.update { $0.closing = true }
    }

    /// `url` with its host and port replaced by the proxy's (credentials, path and query kept).
    public func rewrite(url: String) throws -> String {
        guard var components = URLComponents(string: url) else {
            throw TestSettingsError(description: "TCPProxy: not a URL")
        }
        components.host = host
        components.port = port
        guard let rewritten = components.string else { throw TestSettingsError(description: "TCPProxy: cannot rebuild the URL") }
        return rewritten
    }

    /// The current mode.
    public var mode: Mode { control.state.withLock { $0.mode } }

    /// What went through so far.
    public var statistics: Statistics { control.state.withLock { $0.statistics } }

    /// Sets the mode (see ``Mode``).
    public func setMode(_ mode: Mode) { control.update { $0.mode = mode } }

    /// Forward at once (also ends a blackhole; data held meanwhile goes on).
    public func pass() { setMode(.pass) }

    /// Forward each chunk after `latency` ± `jitter`.
    public func delay(_ latency: Duration, jitter: Duration = .zero) { setMode(.delay(latency, jitter: jitter)) }

    /// Stop forwarding and accepting; every socket stays open.
    public func blackhole() { setMode(.blackhole) }

    /// Close every open connection with an RST (new connections are accepted as before).
    public func resetAll() { control.update { $0.resetGeneration += 1 } }

    /// Reset every open connection and refuse new ones (reset at once) until ``restore()``.
    public func cut() {
        control.update {
            $0.resetGeneration += 1
            $0.refusing = true
        }
    }

    /// Accept and forward again, at once (`pass`).
    public func restore() {
        control.update {
            $0.refusing = false
            $0.mode = .pass
        }
    }

    /// Stops the proxy: closes the listener and every connection, and returns once the
    /// forwarding thread has ended.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = control.state.withLock { state -> Bool in
                state.closing = true
                if state.loopEnded { return true }
                state.whenEnded.append(continuation)
                return false
            }
            control.wake()
            if resumeNow { continuation.resume() }
        }
    }
}

/// Runs `body` with a proxy in front of `targetHost:targetPort`, closing it afterwards
/// (also when `body` throws).
public func withTCPProxy<R: Sendable>(
    listeningOn host: String = "127.0.0.1", forwardingTo targetHost: String, port targetPort: Int,
    _ body: (TCPProxy) async throws -> R
) async throws -> R {
    let proxy = try TCPProxy(listeningOn: host, forwardingTo: targetHost, port: targetPort)
    do {
        let result = try await body(proxy)
        await proxy.close()
        return result
    } catch {
        await proxy.close()
        throw error
    }
}
