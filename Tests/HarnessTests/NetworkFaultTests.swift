import Foundation
import ShipboardTestSupport
import Testing

/// Network namespaces with iptables loss inside them (never in the root namespace).
@Suite("Network faults in a namespace", .serialized)
struct NetworkFaultTests {
    @Test("30% loss drops packets while a TCP connection through the namespace still works")
    func lossyPath() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withNetworkFault { fault in
            let path = try fault.path(to: "127.0.0.1", port: echo.port)
            let client = try await LineSocket.connect(path.host, path.port)
            defer { client.close() }
            #expect(try await client.roundTrip("clean") == "clean")
            #expect(try await fault.droppedPackets() == 0)

            try await fault.loss(percent: 30)
            for index in 0..<8 {
                #expect(try await client.roundTrip("lossy-\(index)", timeout: .seconds(30)) == "lossy-\(index)")
            }
            #expect(try await fault.droppedPackets() > 0)

            try await fault.clear()
            #expect(try await client.roundTrip("clear again") == "clear again")

            // The timed form removes its rules by itself (no rules: nothing counted).
            try await fault.loss(percent: 100, for: .milliseconds(200))
            #expect(try await fault.droppedPackets() == 0)
            #expect(try await client.roundTrip("after a timed loss") == "after a timed loss")
        }
    }

    @Test("a blackhole makes a new connection through the namespace time out, not fail at once")
    func blackhole() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withNetworkFault { fault in
            let path = try fault.path(to: "127.0.0.1", port: echo.port)
            try await fault.blackhole()
            // The entry proxy accepts; its connection through the namespace never completes.
            let client = try await LineSocket.connect(path.host, path.port)
            defer { client.close() }
            try await client.send("lost")
            let error = await #expect(throws: SocketError.self) { try await client.readLines(1, timeout: .seconds(1)) }
            #expect(error?.code == EAGAIN)
            #expect(try await fault.droppedPackets() > 0)
        }
    }

    @Test("a process inside the namespace reaches a server only through the forwarder")
    func processInside() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await withNetworkFault { fault in
            let forwarder = try fault.forwarder(to: "127.0.0.1", port: echo.port)
            let script = """
                exec 3<>/dev/tcp/\(forwarder.host)/\(forwarder.port) || exit 10
                echo inside >&3; read -r reply <&3; [ "$reply" = inside ] || exit 11
                (exec 4<>/dev/tcp/127.0.0.1/\(echo.port)) 2>/dev/null && exit 12
                exit 0
                """
            let process = try fault.process("/bin/bash", ["-c", script])
            #expect(try await run(process) == 0, "10: no path, 11: no echo, 12: loopback server reachable from inside")
            #expect(forwarder.statistics.accepted == 1)
        }
    }

    @Test("namespaces of a process that died are deleted by the next create; remove deletes its own")
    func staleCleanup() async throws {
        let script = try TestSettings.value("SHIPBOARD_TEST_NETFAULT_CTL")
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        let deadPID = try await run(dead, returningPID: true)
        try await ControlScript.run(script, "create", "--owner", "\(deadPID)")
        #expect(try await ControlScript.run(script, "list").output.contains("-\(deadPID) \(deadPID) stale"))

        let fault = try await NetworkFault.create()
        let listing = try await ControlScript.run(script, "list").output
        #expect(!listing.contains("-\(deadPID) "), "the stale namespace is gone")
        #expect(listing.contains(fault.name))
        try await fault.remove()
        #expect(!(try await ControlScript.run(script, "list").output).contains(fault.name))
    }

    /// Runs `process` to its end off the cooperative pool; its exit status, or its PID.
    private func run(_ process: Process, returningPID: Bool = false) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: returningPID ? $0.processIdentifier : $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
