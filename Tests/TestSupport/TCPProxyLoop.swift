import CTestSupport
import Foundation
import Glibc

/// The forwarding thread of a ``TCPProxy``: owns the listener and every connection's two
/// sockets and buffers, and never shares them (all state here is confined to its thread).
///
/// Each direction of a connection holds chunks in arrival order with a due time; a chunk
/// moves to the write buffer when due, so delays never reorder bytes. A direction stops
/// reading while more than `readLimit` bytes wait (back-pressure, like a full TCP window).
final class TCPProxyLoop {
    private struct Chunk {
        var due: ContinuousClock.Instant
        var bytes: [UInt8]
    }

    /// One direction of a connection: bytes read from `from`, to be written to `to`.
    private struct Direction {
        var pending: [Chunk] = []
        var pendingBytes = 0
        var out: [UInt8] = []
        var outOffset = 0
        var lastDue = ContinuousClock.Instant.now
        var sourceEnded = false
        var shutDown = false

        var waiting: Int { pendingBytes + out.count - outOffset }
    }

    private final class Link {
        let client: Int32
        let server: Int32
        var connecting: Bool
        var up = Direction()  // client → server
        var down = Direction()  // server → client
        var broken = false

        init(client: Int32, server: Int32, connecting: Bool) {
            self.client = client
            self.server = server
            self.connecting = connecting
        }
    }

    private static let readLimit = 1 << 20
    private let control: TCPProxyControl
    private let listener: Int32
    private let target: sockaddr_in
    private var links: [Link] = []
    private var settings = TCPProxyControl.State()
    private var seenResets = 0
    private var statistics = TCPProxy.Statistics()
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    private let namespace: String?

    init(control: TCPProxyControl, listener: Int32, target: sockaddr_in, namespace: String?) {
        self.control = control
        self.listener = listener
        self.target = target
        self.namespace = namespace
    }

    func run() {
        if let namespace, !enter(namespace) {
            // Connections from the wrong namespace would bypass the fault: refuse them all.
            control.update { $0.failed = true }
        }
        while true {
            settings = control.state.withLock { state in
                var copy = state
                copy.whenEnded = []
                return copy
            }
            if settings.closing { break }
            if settings.resetGeneration != seenResets {
                seenResets = settings.resetGeneration
                for link in links { link.broken = true }
            }
            let now = ContinuousClock.now
            if settings.mode != .blackhole {
                for link in links where !link.connecting {
                    promote(&link.up, now: now)
                    promote(&link.down, now: now)
                    flush(&link.up, to: link.server, link: link, bytes: &statistics.bytesToTarget)
                    flush(&link.down, to: link.client, link: link, bytes: &statistics.bytesToClient)
                    finish(&link.up, to: link.server)
                    finish(&link.down, to: link.client)
                }
            }
            sweep()
            waitForEvents(now: now)
        }
        for link in links { close(link, reset: true) }
        links = []
        Glibc.close(listener)
        let waiters = control.state.withLock { state in
            state.loopEnded = true
            state.statistics = statistics
            defer { state.whenEnded = [] }
            return state.whenEnded
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Moves this thread (only it) into the network namespace at `path`.
    private func enter(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            report("TCPProxy: cannot open \(path): errno \(errno)")
            return false
        }
        defer { Glibc.close(descriptor) }
        guard shipboard_enter_network_namespace(descriptor) == 0 else {
            report("TCPProxy: cannot enter \(path): errno \(errno)")
            return false
        }
        return true
    }

    private func report(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Polls every socket that can make progress in the current mode, then serves what is ready.
    private func waitForEvents(now: ContinuousClock.Instant) {
        let forwarding = settings.mode != .blackhole
        var descriptors = [pollfd(fd: control.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if forwarding { descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
        var owners: [(link: Link, isClient: Bool)] = []
        for link in links {
            if link.connecting {
                descriptors.append(pollfd(fd: link.server, events: Int16(POLLOUT), revents: 0))
                owners.append((link, false))
                continue
            }
            guard forwarding else { continue }
            for isClient in [true, false] {
                let reading = isClient ? link.up : link.down
                let writing = isClient ? link.down : link.up
                var events: Int16 = 0
                if !reading.sourceEnded && reading.waiting < Self.readLimit { events |= Int16(POLLIN) }
                if writing.out.count > writing.outOffset { events |= Int16(POLLOUT) }
                guard events != 0 else { continue }
                descriptors.append(pollfd(fd: isClient ? link.client : link.server, events: events, revents: 0))
                owners.append((link, isClient))
            }
        }
        control.state.withLock { $0.statistics = statistics }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeout(now: now))
        guard ready > 0 else { return }
        // A setting may have changed while poll waited: data read now must see it (a test
        // sets a delay and then sends; both wake the poll at once).
        let refreshed = control.state.withLock { ($0.mode, $0.refusing, $0.failed) }
        (settings.mode, settings.refusing, settings.failed) = refreshed
        if descriptors[0].revents != 0 { control.drainWakeups() }
        let first = forwarding ? 2 : 1
        if forwarding && descriptors[1].revents != 0 { acceptAll() }
        for (index, owner) in owners.enumerated() {
            let events = descriptors[first + index].revents
            guard events != 0, !owner.link.broken else { continue }
            serve(owner.link, isClient: owner.isClient, events: events)
        }
    }

    private func serve(_ link: Link, isClient: Bool, events: Int16) {
        if link.connecting {
            if Socket.pendingError(link.server) == 0 { link.connecting = false } else { link.broken = true }
            return
        }
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            if isClient { read(from: link.client, into: &link.up, link: link) } else { read(from: link.server, into: &link.down, link: link) }
        }
    }

    /// Milliseconds until the next chunk is due (capped at a second), or at once.
    private func timeout(now: ContinuousClock.Instant) -> Int32 {
        guard settings.mode != .blackhole else { return 1_000 }
        var next = now + .seconds(1)
        for link in links where !link.connecting {
            for direction in [link.up, link.down] {
                if let due = direction.pending.first?.due, due < next { next = due }
            }
        }
        let wait = next - now
        guard wait > .zero else { return 0 }
        let (seconds, attoseconds) = wait.components
        return Int32(seconds * 1_000 + attoseconds / 1_000_000_000_000_000) + 1
    }

    private func acceptAll() {
        while true {
            let client = shipboard_accept_nonblocking(listener)
            guard client >= 0 else { return }
            statistics.accepted += 1
            if settings.refusing || settings.failed {
                Socket.reset(client)
                continue
            }
            do {
                let server = try Socket.make()
                do {
                    let connected = try Socket.connect(server, to: target)
                    links.append(Link(client: client, server: server, connecting: !connected))
                } catch {
                    Glibc.close(server)
                    Socket.reset(client)
                }
            } catch {
                Socket.reset(client)
            }
        }
    }

    private func read(from descriptor: Int32, into direction: inout Direction, link: Link) {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            var due = ContinuousClock.now
            if case .delay(let latency, let jitter) = settings.mode {
                let spread = jitter > .zero ? jitter * Double.random(in: -1...1) : .zero
                due += max(.zero, latency + spread)
            }
            due = max(due, direction.lastDue)
            direction.lastDue = due
            direction.pending.append(Chunk(due: due, bytes: Array(buffer[0..<count])))
            direction.pendingBytes += count
        } else if count == 0 {
            direction.sourceEnded = true
        } else if errno != EAGAIN && errno != EINTR {
            link.broken = true
        }
    }

    private func promote(_ direction: inout Direction, now: ContinuousClock.Instant) {
        var moved = 0
        while moved < direction.pending.count && direction.pending[moved].due <= now {
            if direction.outOffset == direction.out.count {
                direction.out.removeAll(keepingCapacity: true)
                direction.outOffset = 0
            }
            direction.out += direction.pending[moved].bytes
            direction.pendingBytes -= direction.pending[moved].bytes.count
            moved += 1
        }
        if moved > 0 { direction.pending.removeFirst(moved) }
    }

    private func flush(_ direction: inout Direction, to descriptor: Int32, link: Link, bytes: inout Int) {
        while direction.outOffset < direction.out.count && !link.broken {
            let offset = direction.outOffset
            let written = direction.out.withUnsafeBytes { bytes in
                send(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                direction.outOffset += written
                bytes += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                link.broken = true
            }
        }
    }

    /// Passes a half-close on once everything read before it was written.
    private func finish(_ direction: inout Direction, to descriptor: Int32) {
        guard direction.sourceEnded, !direction.shutDown, direction.waiting == 0 else { return }
        shutdown(descriptor, Int32(SHUT_WR))
        direction.shutDown = true
    }

    /// Closes links that broke (reset) or finished in both directions (normal close).
    private func sweep() {
        links.removeAll { link in
            if link.broken {
                close(link, reset: true)
                return true
            }
            if link.up.shutDown && link.down.shutDown {
                close(link, reset: false)
                return true
            }
            return false
        }
        statistics.open = links.count
    }

    private func close(_ link: Link, reset: Bool) {
        if reset {
            Socket.reset(link.client)
            Socket.reset(link.server)
        } else {
            Glibc.close(link.client)
            Glibc.close(link.server)
        }
    }
}
