import Foundation
import Images

/// The image archive each attempt needs, fetched from the DML once per digest on this
/// replica (the fetcher's cache keeps it across restarts; this keeps concurrent attempts
/// from downloading it together). A failed fetch is forgotten, so the next attempt tries again.
actor ImageSupply {
    private let fetcher: DMLFetcher?
    private var fetching: [String: Task<String, any Error>] = [:]

    /// `fetcher` nil: the driver needs no archive (`simulated`).
    init(fetcher: DMLFetcher?) {
        self.fetcher = fetcher
    }

    /// The verified archive's path ("" when no archive is needed).
    func archive(sha256: String) async throws -> String {
        guard let fetcher else { return "" }
        if let task = fetching[sha256] { return try await task.value }
        guard let digest = ImageDigest(sha256) else { throw DMLFetchError.digestMismatch(expected: sha256, actual: "malformed") }
        let task = Task { try await fetcher.archive(digest).path }
        fetching[sha256] = task
        do {
            return try await task.value
        } catch {
            fetching[sha256] = nil
            throw error
        }
    }
}
