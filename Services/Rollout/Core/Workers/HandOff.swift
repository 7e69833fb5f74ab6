/// A first-in, first-out hand-off between two loops of a worker: `put` never waits (the
/// broker's prefetch bounds what is in hand), `take` waits for at least one item and answers
/// up to `max`, or nothing once finished and drained.
actor HandOff<Item: Sendable> {
    private var items: [Item] = []
    private var waiter: CheckedContinuation<Void, Never>?
    private var finished = false

    func put(_ item: Item) {
        items.append(item)
        wake()
    }

    func put(contentsOf more: [Item]) {
        items.append(contentsOf: more)
        wake()
    }

    func finish() {
        finished = true
        wake()
    }

    func take(max: Int) async -> [Item] {
        while items.isEmpty && !finished {
            await withCheckedContinuation { waiter = $0 }
        }
        let count = Swift.min(max, items.count)
        let taken = Array(items.prefix(count))
        items.removeFirst(count)
        return taken
    }

    private func wake() {
        waiter?.resume()
        waiter = nil
    }
}
