import Foundation
import Synchronization

/// A network namespace of the test's own with a veth pair to this (root) namespace, and
/// packet loss or a blackhole applied by iptables inside it: between a client and a
/// server on this machine, with the root namespace's firewall never touched
/// (`Infra/scripts/netfault.sh`, whose path `.run/env` gives as `SHIPBOARD_TEST_NETFAULT_CTL`).
///
/// Two ways across it:
/// - ``path(to:port:)`` for a client in this process: a proxy on 127.0.0.1 whose
///   connections leave from inside the namespace, cross the veth (and its rules) and reach
///   a forwarder on ``hostAddress`` that connects to the server.
/// - ``forwarder(to:port:)`` plus ``process(_:_:)`` for a separate process started inside
///   the namespace: it reaches the server only through the forwarder on ``hostAddress``.
///
/// ``remove()`` closes every proxy made here, ends what still runs inside and deletes the
/// namespace; ``withNetworkFault(_:)`` calls it also when its body throws. Namespaces of a
/// test process that died are deleted by the next ``create()`` and by `servers.sh start-test`.
public final class NetworkFault: Sendable {
    /// The namespace's name (`sbnf<slot>-<owner pid>`).
    public let name: String
    /// The root side's address of the veth pair (forwarders listen here).
    public let hostAddress: String
    /// The namespace side's address.
    public let namespaceAddress: String
    private let script: String
    private let proxies = Mutex<[TCPProxy]>([])

    private init(name: String, hostAddress: String, namespaceAddress: String, script: String) {
        self.name = name
        self.hostAddress = hostAddress
        self.namespaceAddress = namespaceAddress
        self.script = script
    }

    /// Makes a namespace owned by this process (and deletes those whose owner died).
    public static func create() async throws -> NetworkFault {
        let script = try TestSettings.value("SHIPBOARD_TEST_NETFAULT_CTL")
        let outcome = try await ControlScript.run(script, "create", "--owner", "\(getpid())")
        let line = outcome.output.split(separator: "\n").last { $0.hasPrefix("sbnf") }
        let fields = line?.split(separator: " ").map(String.init) ?? []
        guard fields.count == 3 else { throw TestSettingsError(description: "netfault create printed no namespace") }
        return NetworkFault(name: fields[0], hostAddress: fields[1], namespaceAddress: fields[2], script: script)
    }

    /// A proxy on 127.0.0.1 for a client in this process; its connections to
    /// `host:port` cross the namespace. Closed by ``remove()``.
    public func path(to host: String, port: Int) throws -> TCPProxy {
        let exit = try forwarder(to: host, port: port)
        let entry = try TCPProxy(
            listeningOn: "127.0.0.1", listeningPort: 0, forwardingTo: hostAddress, port: exit.port,
            connectingFrom: "/run/netns/\(name)")
        proxies.withLock { $0.append(entry) }
        return entry
    }

    /// A forwarder in this namespace on ``hostAddress`` (a free port) to `host:port`,
    /// for a process inside the namespace. Closed by ``remove()``.
    public func forwarder(to host: String, port: Int) throws -> TCPProxy {
        let proxy = try TCPProxy(listeningOn: hostAddress, forwardingTo: host, port: port)
        proxies.withLock { $0.append(proxy) }
        return proxy
    }

    /// Drops `percent` % of the packets to and from ``hostAddress`` at random, each direction.
    public func loss(percent: Double) async throws {
        try await ControlScript.run(script, "loss", name, String(format: "%.2f", percent))
    }

    /// Drops `percent` % of the packets for `duration`, then clears the rules (also when the
    /// wait is cancelled): "30% packet loss to the broker for 20 s".
    public func loss(percent: Double, for duration: Duration) async throws {
        try await loss(percent: percent)
        do {
            try await Task.sleep(for: duration)
        } catch {
            try? await clear()
            throw error
        }
        try await clear()
    }

    /// Drops every packet to and from ``hostAddress``: open connections hang, new ones time out.
    public func blackhole() async throws {
        try await ControlScript.run(script, "blackhole", name)
    }

    /// Removes the loss or blackhole rules.
    public func clear() async throws {
        try await ControlScript.run(script, "clear", name)
    }

    /// Packets the rules dropped so far.
    public func droppedPackets() async throws -> Int {
        let outcome = try await ControlScript.run(script, "dropped", name)
        guard let count = Int(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSettingsError(description: "netfault dropped printed no number")
        }
        return count
    }

    /// The command that runs `executable` with `arguments` inside the namespace
    /// (`ip netns exec`), for `Process` or swift-subprocess alike. The program sees only
    /// the namespace's own loopback and the veth pair: give it the address of a
    /// ``forwarder(to:port:)``. ``remove()`` kills it if it still runs.
    public func command(_ executable: String, _ arguments: [String]) throws -> (executable: String, arguments: [String]) {
        let candidates = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        guard let ip = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestSettingsError(description: "ip not found (run Infra/scripts/install-deps.sh)")
        }
        return (ip, ["netns", "exec", name, executable] + arguments)
    }

    /// A `Process` (not yet started) for ``command(_:_:)``; set its environment and output,
    /// then run it.
    public func process(_ executable: String, _ arguments: [String]) throws -> Process {
        let command = try command(executable, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        return process
    }

    /// Closes every proxy made here, then deletes the namespace (killing what runs inside).
    public func remove() async throws {
        let made = proxies.withLock { proxies in
            defer { proxies = [] }
            return proxies
        }
        for proxy in made { await proxy.close() }
        try await ControlScript.run(script, "delete", name)
    }
}

/// Runs `body` with a fresh ``NetworkFault`` and removes it afterwards, also when `body` throws.
public func withNetworkFault<R: Sendable>(_ body: (NetworkFault) async throws -> R) async throws -> R {
    let fault = try await NetworkFault.create()
    do {
        let result = try await body(fault)
        try await fault.remove()
        return result
    } catch {
        try? await fault.remove()
        throw error
    }
}
