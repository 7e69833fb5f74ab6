import Foundation
import ShipboardTestSupport
import Testing

/// The fault broker's alarm verbs, as a publisher sees them (a raw AMQP connection, so the
/// harness is checked independently of the AMQP wrapper). Holds the fault broker's lock.
@Suite("Fault broker alarms", .serialized)
struct BrokerAlarmTests {
    @Test("a memory alarm blocks a publisher (connection.blocked); clearing it unblocks")
    func memoryAlarm() async throws {
        try await expectBlocking(disk: false)
    }

    @Test("a disk alarm blocks a publisher too; clearing it unblocks")
    func diskAlarm() async throws {
        try await expectBlocking(disk: true)
    }

    private func expectBlocking(disk: Bool) async throws {
        try await FaultBroker.exclusively {
            let connection = try await RawAMQPConnection.open(url: TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL"))
            defer { connection.close() }
            try await connection.publish(Array("before".utf8))
            let blocked = try await FaultBroker.withAlarm(disk: disk) {
                // The broker blocks a connection when it next publishes.
                try await connection.publish(Array("during".utf8))
                return try await connection.nextMethod()
            }
            #expect(blocked.classID == 10 && blocked.methodID == 60, "connection.blocked")
            #expect(blocked.firstShortString?.contains(disk ? "disk" : "memory") == true, "reason: \(blocked.firstShortString ?? "-")")
            let unblocked = try await connection.nextMethod()
            #expect(unblocked.classID == 10 && unblocked.methodID == 61, "connection.unblocked")
        }
    }
}
