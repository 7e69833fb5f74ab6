import NotificationCore
import Testing

@Suite("Endpoint limiter")
struct ChannelLimiterTests {
    actor Trace {
        var events: [String] = []
        var running = 0
        var peak = 0

        func begin(_ name: String) {
            events.append("begin \(name)")
            running += 1
            peak = max(peak, running)
        }
        func end(_ name: String) {
            events.append("end \(name)")
            running -= 1
        }
    }

    @Test("permits of one endpoint are bounded and handed out in arrival order")
    func fifoAndBounded() async throws {
        let limiter = EndpointLimiter(limit: 2)
        let trace = Trace()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await limiter.withPermit(endpoint: "https://a:443") {
                        await trace.begin("\(index)")
                        try await Task.sleep(for: .milliseconds(50))
                        await trace.end("\(index)")
                    }
                }
                // Arrival order is the loop's order.
                try await Task.sleep(for: .milliseconds(5))
            }
            try await group.waitForAll()
        }
        #expect(await trace.peak == 2)
        let begins = await trace.events.filter { $0.hasPrefix("begin") }
        #expect(begins == (0..<6).map { "begin \($0)" })
        #expect(await limiter.inUse("https://a:443") == 0)
    }

    @Test("a held endpoint does not delay another")
    func isolation() async throws {
        let limiter = EndpointLimiter(limit: 1)
        let clock = ContinuousClock()
        async let slow: Void = limiter.withPermit(endpoint: "slow") { try await Task.sleep(for: .seconds(2)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = clock.now
        try await limiter.withPermit(endpoint: "fast") {}
        #expect(clock.now - start < .milliseconds(500))
        #expect(await limiter.inUse("slow") == 1)
        try await slow
    }

    @Test("a cancelled waiter leaves the queue and the next one still gets the permit")
    func cancellation() async throws {
        let limiter = EndpointLimiter(limit: 1)
        let holder = Task { try await limiter.withPermit(endpoint: "e") { try await Task.sleep(for: .milliseconds(300)) } }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = Task { try await limiter.withPermit(endpoint: "e") { "ran" } }
        let waiting = Task { try await limiter.withPermit(endpoint: "e") { "ran" } }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        try await holder.value
        #expect(try await waiting.value == "ran")
        #expect(await limiter.inUse("e") == 0)
    }
}
