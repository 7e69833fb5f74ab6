import Dispatch

/// Hashing and unpacking an image block a thread for seconds: never one of Swift's few
/// cooperative threads (two on these machines), which the consumer and relay need.
func offCooperativePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
