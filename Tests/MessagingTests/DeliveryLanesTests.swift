import Testing

@testable import Messaging

/// The scheduling rules of `DeliveryLanes`, on plain items (no broker, no database): order
/// within a lane, one lane in one worker's hands, batching, items that must go alone,
/// put-back order, hold and shutdown. The consumer runner's tests prove the same end to end.
@Suite("Delivery lanes: scheduling rules")
struct DeliveryLanesTests {
    struct Item: LaneScheduled, Equatable {
        let lane: String
        let sequence: UInt64
        var batchable = true
    }

    /// Puts items named like "A1" (lane A); `alone` names those that may not share a batch.
    private func lanes(_ names: [String], alone: Set<String> = [], maxBatch: Int = 32) async -> DeliveryLanes<Item> {
        let lanes = DeliveryLanes<Item>(maxBatch: maxBatch)
        for (index, name) in names.enumerated() {
            await lanes.put(Item(lane: String(name.prefix(1)), sequence: UInt64(index + 1), batchable: !alone.contains(name)))
        }
        return lanes
    }

    private func names(_ items: [Item], _ all: [String]) -> [String] {
        items.map { all[Int($0.sequence) - 1] }
    }

    @Test("a batch takes free lanes in arrival order, each lane's items in order")
    func batchesKeepLaneOrder() async {
        let all = ["A1", "B1", "A2", "C1", "B2"]
        let lanes = await lanes(all)
        let batch = await lanes.take()
        #expect(names(batch, all) == ["A1", "A2", "B1", "B2", "C1"])
    }

    @Test("a lane in a worker's hands gives nothing to another worker until it is done")
    func busyLaneWaits() async {
        let all = ["A1", "A2", "A3"]
        let lanes = await lanes(all, maxBatch: 1)
        let first = await lanes.take()
        #expect(names(first, all) == ["A1"])
        await lanes.put(Item(lane: "B", sequence: 4))
        // A is busy: the next worker gets B, not A2.
        let second = await lanes.take()
        #expect(second.map(\.lane) == ["B"])
        await lanes.done(first)
        let third = await lanes.take()
        #expect(names(third, all) == ["A2"])
    }

    @Test("an item that must go alone goes alone, and holds its lane back meanwhile")
    func aloneItems() async {
        let all = ["A1", "B1", "B2", "C1"]
        let lanes = await lanes(all, alone: ["A1", "B2"])
        // A1 comes first and must go alone.
        let first = await lanes.take()
        #expect(names(first, all) == ["A1"])
        // B1 may share, B2 may not: B1 and C1 go together, B2 waits for its lane.
        let second = await lanes.take()
        #expect(names(second, all) == ["B1", "C1"])
        await lanes.done(second)
        let third = await lanes.take()
        #expect(names(third, all) == ["B2"])
    }

    @Test("items put back return to the head of their lanes, before what came after them")
    func putBackKeepsPlace() async {
        let all = ["A1", "A2"]
        let lanes = await lanes(all, maxBatch: 1)
        let first = await lanes.take()
        await lanes.put(Item(lane: "A", sequence: 3))
        await lanes.putBack(first)
        let again = await lanes.take()
        #expect(again.map(\.sequence) == [1])
        await lanes.done(again)
        let next = await lanes.take()
        #expect(next.map(\.sequence) == [2])
    }

    @Test("a held lane set hands out nothing until released; a retry keeps its lane busy until due")
    func holdAndRetry() async throws {
        let lanes = await lanes(["A1", "B1"], maxBatch: 1)
        await lanes.hold()
        let waiting = Task { await lanes.take() }
        try await Task.sleep(for: .milliseconds(50))
        await lanes.release()
        let firstBatch = await waiting.value
        #expect(firstBatch.map(\.lane) == ["A"])
        await lanes.retry(firstBatch, after: .milliseconds(100))
        await lanes.put(Item(lane: "A", sequence: 3))
        // A waits for its retry: B goes first, then A1 again, then A's newer item.
        #expect(await lanes.take().map(\.lane) == ["B"])
        let retried = await lanes.take()
        #expect(retried.map(\.sequence) == [1])
        await lanes.done(retried)
        #expect(await lanes.take().map(\.sequence) == [3])
    }

    @Test("after finish, waiting items are still handed out, then an empty batch ends the workers")
    func finishDrains() async {
        let lanes = await lanes(["A1", "B1"], maxBatch: 1)
        await lanes.finish()
        let first = await lanes.take()
        let second = await lanes.take()
        #expect(Set((first + second).map(\.lane)) == ["A", "B"])
        #expect(await lanes.take().isEmpty)
    }
}
