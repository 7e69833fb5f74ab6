import Contracts
import Postgres

extension PostgresPool {
    /// Runs the reads of `body` in one repeatable-read transaction, so its parts agree; a
    /// refusal thrown inside (an unknown release) comes out as itself, the answer, rather than
    /// wrapped as a database failure.
    func readingSnapshot<Result>(_ body: (PostgresTransaction) async throws -> Result) async throws -> Result {
        do {
            return try await withTransaction(.repeatableRead, body)
        } catch let error as PostgresTransactionError {
            if let refusal = error.underlying as? CommandError { throw refusal }
            throw error
        }
    }
}
