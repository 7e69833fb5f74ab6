import Foundation
import Glibc
import ShipboardTestSupport
import Testing

/// Each mode of the test-owned TCP proxy, against a line-echo server on loopback.
@Suite("TCP proxy modes")
struct TCPProxyTests {
    @Test("pass forwards both ways and counts the bytes")
    func pass() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withTCPProxy(forwardingTo: "127.0.0.1", port: echo.port) { proxy in
            let client = try await LineSocket.connect(proxy.host, proxy.port)
            defer { client.close() }
            #expect(try await client.roundTrip("hello") == "hello")
            // The proxy publishes its counts right after it writes; the echo may arrive first.
            let deadline = ContinuousClock.now + .seconds(2)
            while proxy.statistics.bytesToClient < 6 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let statistics = proxy.statistics
            #expect(statistics.accepted == 1 && statistics.open == 1)
            #expect(statistics.bytesToTarget == 6 && statistics.bytesToClient == 6)
        }
    }

    @Test("delay with jitter slows every round trip and keeps the byte order")
    func delay() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withTCPProxy(forwardingTo: "127.0.0.1", port: echo.port) { proxy in
            let client = try await LineSocket.connect(proxy.host, proxy.port)
            defer { client.close() }
            proxy.delay(.milliseconds(100), jitter: .milliseconds(40))
            let started = ContinuousClock.now
            #expect(try await client.roundTrip("slow") == "slow")
            // 100 ms ± 40 each way, on the way there and back.
            #expect(ContinuousClock.now - started >= .milliseconds(120))

            let lines = (0..<50).map { "line-\($0)" }
            for line in lines { try await client.send(line) }
            #expect(try await client.readLines(lines.count) == lines)
        }
    }

    @Test("blackhole holds everything with the sockets open; pass delivers it, nothing lost")
    func blackhole() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withTCPProxy(forwardingTo: "127.0.0.1", port: echo.port) { proxy in
            let client = try await LineSocket.connect(proxy.host, proxy.port)
            defer { client.close() }
            #expect(try await client.roundTrip("before") == "before")
            proxy.blackhole()
            try await client.send("held")
            let silent = await #expect(throws: SocketError.self) { try await client.readLines(1, timeout: .milliseconds(400)) }
            #expect(silent?.code == EAGAIN, "a timeout, not a reset or a close")
            #expect(proxy.statistics.open == 1)
            proxy.pass()
            #expect(try await client.readLines(1) == ["held"])
        }
    }

    @Test("resetAll closes open connections with an RST; new connections still work")
    func reset() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withTCPProxy(forwardingTo: "127.0.0.1", port: echo.port) { proxy in
            let client = try await LineSocket.connect(proxy.host, proxy.port)
            defer { client.close() }
            #expect(try await client.roundTrip("one") == "one")
            proxy.resetAll()
            let error = await #expect(throws: SocketError.self) { try await client.readLines(1, timeout: .seconds(5)) }
            #expect(error?.code == ECONNRESET)

            let again = try await LineSocket.connect(proxy.host, proxy.port)
            defer { again.close() }
            #expect(try await again.roundTrip("two") == "two")
        }
    }

    @Test("cut resets open connections and refuses new ones until restore")
    func cutAndRestore() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withTCPProxy(forwardingTo: "127.0.0.1", port: echo.port) { proxy in
            let client = try await LineSocket.connect(proxy.host, proxy.port)
            defer { client.close() }
            #expect(try await client.roundTrip("one") == "one")
            proxy.cut()
            await #expect(throws: SocketError.self) { try await client.readLines(1, timeout: .seconds(5)) }
            // The kernel completes the handshake; the proxy then resets the connection.
            await #expect(throws: SocketError.self) {
                let refused = try await LineSocket.connect(proxy.host, proxy.port)
                defer { refused.close() }
                _ = try await refused.roundTrip("nope", timeout: .seconds(5))
            }
            proxy.restore()
            let again = try await LineSocket.connect(proxy.host, proxy.port)
            defer { again.close() }
            #expect(try await again.roundTrip("two") == "two")
        }
    }

    @Test("rewrite(url:) points a server URL at the proxy and keeps the rest")
    func rewrite() async throws {
        let proxy = try TCPProxy(forwardingTo: "127.0.0.1", port: 9)
        let url = try proxy.rewrite(url: "amqp://user:p%40ss@127.0.0.1:55682/shipboard-test?heartbeat=1")
        #expect(url == "amqp://user:p%40ss@127.0.0.1:\(proxy.port)/shipboard-test?heartbeat=1")
        await proxy.close()
    }
}
