/// How many deploys run at once on a replica. The worker holds up to twice as many jobs
/// (its prefetch), so the next batch is claimed while this one deploys and claiming and
/// recording stay off the deploys' path; only this many run.
actor DeploySlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) {
        free = max(1, count)
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
