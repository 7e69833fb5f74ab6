/// One dependency the service needs before it can do its work (PostgreSQL, RabbitMQ).
public struct ReadinessCheck: Sendable {
    public let name: String
    let check: @Sendable () async -> Bool

    /// `check` should be cheap; it is abandoned (and counts as down) after `timeout`.
    public init(_ name: String, timeout: Duration = .seconds(2), _ check: @escaping @Sendable () async -> Bool) {
        self.name = name
        self.check = {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { await check() }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }
    }

    func run() async -> Bool { await check() }
}
