import Foundation
import Postgres
import Testing

@Suite("LISTEN/NOTIFY", .timeLimit(.minutes(1)))
struct ListenerTests {
    static func channelName() -> String {
        "c_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// The next event (the suite's time limit stops a test that waits forever).
    static func next(
        _ iterator: inout AsyncStream<PostgresListener.Event>.Iterator
    ) async -> PostgresListener.Event? {
        await iterator.next()
    }

    @Test func deliversHostilePayloadsUnchanged() async throws {
        let configuration = try TestDatabase.configuration()
        let listener = PostgresListener(configuration: configuration)
        let pool = PostgresPool(configuration: configuration, maxConnections: 1)
        let channel = Self.channelName()
        let stream = try await listener.listen(channel)
        let payloads = [
            "it's \"quoted\" '; DROP TABLE x; -- $1 \\ 🚀 مرحبا",
            "",
            String(repeating: "é", count: 3000),
        ]
        for payload in payloads {
            try await pool.notify(channel: channel, payload: payload)
        }
        var received: [PostgresNotification] = []
        for await event in stream {
            if case .notification(let notification) = event {
                received.append(notification)
            }
            if received.count == payloads.count { break }
        }
        #expect(received.map(\.payload) == payloads)
        #expect(received.allSatisfy { $0.channel == channel })
        await listener.stop()
        await pool.close()
    }

    @Test func notificationsInATransactionArriveOnCommitOnly() async throws {
        let configuration = try TestDatabase.configuration()
        let listener = PostgresListener(configuration: configuration)
        let pool = PostgresPool(configuration: configuration, maxConnections: 1)
        let channel = Self.channelName()
        var iterator = try await listener.listen(channel).makeAsyncIterator()
        try? await pool.withTransaction { tx in
            try await tx.notify(channel: channel, payload: "rolled back")
            throw CancellationError()
        }
        try await pool.withTransaction { tx in
            try await tx.notify(channel: channel, payload: "committed")
        }
        let event = await Self.next(&iterator)
        #expect(event.map { if case .notification(let n) = $0 { n.payload } else { "other" } } == "committed")
        await listener.stop()
        await pool.close()
    }

    @Test func rejectsChannelsThatAreNotPlainNames() async throws {
        let listener = PostgresListener(configuration: try TestDatabase.configuration())
        for channel in ["Upper", "has space", "x\"; DROP TABLE y; --", "", String(repeating: "a", count: 64)] {
            await #expect(throws: PostgresEncodingError(.invalidIdentifier)) { _ = try await listener.listen(channel) }
        }
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        await #expect(throws: PostgresEncodingError(.invalidIdentifier)) {
            try await pool.notify(channel: "Bad-Channel", payload: "x")
        }
        await listener.stop()
        await pool.close()
    }

    @Test func reconnectsAfterTheBackendIsKilledAndSaysSo() async throws {
        var configuration = try TestDatabase.configuration()
        let application = "listener-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        configuration.applicationName = application
        let listener = PostgresListener(configuration: configuration, maxReconnectDelay: .milliseconds(500))
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        let channel = Self.channelName()
        var iterator = try await listener.listen(channel).makeAsyncIterator()

        let pid = try await pool.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = \(application)"
        ).single().decode(Int32.self)
        try await PoolTests.terminate(pid)

        #expect(await Self.next(&iterator) == .reconnected)
        try await pool.notify(channel: channel, payload: "after reconnect")
        let event = await Self.next(&iterator)
        #expect(event.map { if case .notification(let n) = $0 { n.payload } else { "other" } } == "after reconnect")
        await listener.stop()
        #expect(await iterator.next() == nil, "stop() ends the streams")
        await pool.close()
    }
}
