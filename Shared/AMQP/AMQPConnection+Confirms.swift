extension AMQPConnection {
    /// A published batch whose confirms are outstanding: delivery tags
    /// `firstTag ..< firstTag + messageIDs.count`, in the order they were sent.
    struct InflightBatch {
        let firstTag: UInt64
        var messageIDs: [String]
        var settled: [Bool]
        /// Every index below it is settled.
        var cursor = 0
        var remaining: Int
        var failure: AMQPError?
        let batch: ConfirmBatch

        init(firstTag: UInt64, messageIDs: [String], batch: ConfirmBatch) {
            self.firstTag = firstTag
            self.messageIDs = messageIDs
            self.settled = Array(repeating: false, count: messageIDs.count)
            self.remaining = messageIDs.count
            self.batch = batch
        }

        var lastTag: UInt64 { firstTag + UInt64(messageIDs.count) - 1 }
    }

    /// Handles basic.ack / basic.nack on the publish channel: settles the tags it covers and
    /// resolves every batch that is complete. Batches are in tag order, so the scan stops at
    /// the first batch beyond `tag`.
    func confirm(tag: UInt64, multiple: Bool, positive: Bool) {
        var index = 0
        while index < inflight.count, inflight[index].firstTag <= tag {
            let first = inflight[index].firstTag
            let last = inflight[index].lastTag
            if multiple {
                let upper = Int(min(tag, last) - first)
                var position = inflight[index].cursor
                while position <= upper {
                    settle(batchAt: index, position: position, positive: positive)
                    position += 1
                }
            } else if tag <= last {
                settle(batchAt: index, position: Int(tag - first), positive: positive)
            }
            while inflight[index].cursor < inflight[index].settled.count, inflight[index].settled[inflight[index].cursor] {
                inflight[index].cursor += 1
            }
            if inflight[index].remaining == 0 {
                let done = inflight.remove(at: index)
                done.batch.resolve(done.failure.map { .failure($0) } ?? .success(()))
            } else {
                inflight[index].batch.update(pending: inflight[index].remaining)
                index += 1
            }
            if !multiple && tag <= last { break }
        }
    }

    private func settle(batchAt index: Int, position: Int, positive: Bool) {
        guard !inflight[index].settled[position] else { return }
        inflight[index].settled[position] = true
        inflight[index].remaining -= 1
        let messageID = inflight[index].messageIDs[position]
        let returned = returnedMessages.removeValue(forKey: messageID)
        guard inflight[index].failure == nil else { return }
        if !positive {
            inflight[index].failure = .publishNacked(messageID: messageID)
        } else if let returned {
            inflight[index].failure = .publishReturned(messageID: messageID, code: returned.code, reason: returned.reason)
        }
    }

    /// Fails every batch still waiting (channel closed, connection lost or closed).
    func failInflight(_ error: AMQPError) {
        let waiting = inflight
        inflight.removeAll()
        returnedMessages.removeAll()
        for entry in waiting { entry.batch.resolve(.failure(error)) }
    }

    /// The last batch stopped after `count` messages: only those get confirms.
    func truncateLastBatch(to count: Int, failure: AMQPError) {
        guard var last = inflight.popLast() else { return }
        last.messageIDs.removeSubrange(count...)
        last.settled.removeSubrange(count...)
        last.remaining = last.settled.filter { !$0 }.count
        last.failure = last.failure ?? failure
        if last.remaining > 0 { inflight.append(last) }
        last.batch.resolve(.failure(failure))
    }

    func pendingCount(of batch: ConfirmBatch) -> Int {
        inflight.first { $0.batch === batch }?.remaining ?? batch.count
    }
}
