/// A statement queued by ``PostgresTransaction/enqueue(_:label:check:)``: sent later, with
/// the transaction's next statement or its `COMMIT`, in one pipeline.
struct DeferredStatement: Sendable {
    let query: PostgresQuery
    /// Its place in the transaction, as errors report it.
    let step: PostgresTransactionError.Step
    /// Judges the rows when they arrive (e.g. "exactly one row updated"); a throw fails the
    /// transaction.
    let check: (@Sendable (PostgresRows) throws -> Void)?
}
