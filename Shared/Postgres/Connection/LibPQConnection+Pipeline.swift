import CLibPQ

/// One statement of a pipeline: a query with bound parameters (prepared through the
/// statement cache), or a fixed control statement such as `BEGIN` or `COMMIT`.
enum PipelineItem {
    case query(PostgresQuery)
    case control(String)

    var binds: [PostgresBind] {
        if case .query(let query) = self { return query.binds }
        return []
    }
}

/// A pipeline that did not complete: the position of the item at fault (`nil` when the
/// pipeline as a whole failed, e.g. the connection was lost while its results were read).
struct PipelineFailure: Error {
    let position: Int?
    let error: any Error
    /// The rows of the items before `position`, which ran (their checks still apply).
    var completed: [PostgresRows] = []
}

/// Several statements in one round trip with libpq's pipeline mode.
///
/// Everything is sent, then one sync; the results are read in order with the same deadline
/// and cancellation rules as one statement (`exchange`). The first statement that fails
/// aborts the rest (the server skips them up to the sync), and its error is reported with
/// its position. A pipeline only runs inside a transaction (its first item may be the
/// `BEGIN`), so a failure leaves the transaction aborted and nothing of it commits.
///
/// Unlike one statement, a pipeline interrupted by its deadline or by cancellation always
/// leaves the connection abandoned: which of its statements the cancel request hit cannot be
/// told apart, so the pool replaces the connection rather than guess.
extension LibPQConnection {
    private enum Sent {
        case prepare(PreparedStatementCache.Key, name: String, position: Int)
        case run(position: Int)

        var position: Int {
            switch self {
            case .prepare(_, _, let position), .run(let position): position
            }
        }
    }

    /// Runs `items` in one pipeline and returns each one's rows, in order. The queries were
    /// checked (`validate`) when they were queued: not again here, on every action's path.
    func executePipeline(_ items: [PipelineItem]) throws(PipelineFailure) -> [PostgresRows] {
        guard !isAbandoned else { throw PipelineFailure(position: nil, error: Self.abandonedError) }
        do {
            try deallocateEvictedStatements()
        } catch {
            throw PipelineFailure(position: nil, error: error)
        }
        guard PQenterPipelineMode(pointer) == 1 else {
            throw PipelineFailure(position: nil, error: makeError(nil, binds: []))
        }
        let sent: [Sent]
        do {
            sent = try send(items)
        } catch {
            // Part of it may have gone out: the session's state is unknown.
            isAbandoned = true
            throw PipelineFailure(position: nil, error: error)
        }
        return try readResults(of: items, sent: sent)
    }

    /// Queues every item (preparing queries the cache does not hold yet) and the sync.
    private func send(_ items: [PipelineItem]) throws -> [Sent] {
        var sent: [Sent] = []
        // A text twice in one pipeline is prepared once.
        var preparedHere: [PreparedStatementCache.Key: String] = [:]
        for (position, item) in items.enumerated() {
            let accepted: Int32
            switch item {
            case .control(let sql):
                accepted = PQsendQueryParams(pointer, sql, 0, nil, nil, nil, nil, 0)
                sent.append(.run(position: position))
            case .query(let query):
                let types = query.binds.map(\.dataType.rawValue)
                let count = Int32(query.binds.count)
                accepted = try LibPQParameters.with(query.binds) { values, lengths, formats in
                    guard statements.isEnabled else {
                        sent.append(.run(position: position))
                        return PQsendQueryParams(pointer, query.sql, count, types, values, lengths, formats, 0)
                    }
                    let key = PreparedStatementCache.Key(sql: query.sql, parameterTypes: types)
                    let name: String
                    if let known = preparedHere[key] ?? statements.name(for: key) {
                        name = known
                    } else {
                        name = statements.makeName()
                        guard PQsendPrepare(pointer, name, key.sql, count, key.parameterTypes) == 1 else { return 0 }
                        preparedHere[key] = name
                        sent.append(.prepare(key, name: name, position: position))
                    }
                    sent.append(.run(position: position))
                    return PQsendQueryPrepared(pointer, name, count, values, lengths, formats, 0)
                }
            }
            guard accepted == 1 else { throw makeError(nil, binds: item.binds) }
        }
        guard PQpipelineSync(pointer) == 1 else { throw makeError(nil, binds: []) }
        return sent
    }

    /// Reads each sent command's result, then the sync, and leaves pipeline mode.
    private func readResults(of items: [PipelineItem], sent: [Sent]) throws(PipelineFailure) -> [PostgresRows] {
        let deadline = queryTimeoutNanoseconds.map { MonotonicTime.adding($0, to: MonotonicTime.now()) }
        var cancel: PendingCancel?
        var needsFlush = true
        var rows: [PostgresRows?] = Array(repeating: nil, count: items.count)
        var failure: PipelineFailure?
        do throws(PostgresError) {
            for command in sent {
                // Each command's results end with a NULL from PQgetResult.
                var last: OpaquePointer?
                while true {
                    try awaitResult(needsFlush: needsFlush, deadline: deadline, cancellable: true, cancel: &cancel)
                    needsFlush = false
                    guard let result = PQgetResult(pointer) else { break }
                    if let last { PQclear(last) }
                    last = result
                    if PQstatus(pointer) == CONNECTION_BAD { break }
                }
                guard let result = last else { throw connectionLostError() }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_PIPELINE_ABORTED:
                    continue
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                    switch command {
                    case .prepare(let key, let name, _):
                        if let evicted = statements.insert(key, name: name) { pendingDeallocations.append(evicted) }
                    case .run(let position):
                        rows[position] = Self.materialize(result)
                    }
                default:
                    let error = makeError(result, binds: items[command.position].binds)
                    if case .prepare(let key, _, _) = command { statements.remove(key) }
                    if failure == nil { failure = PipelineFailure(position: command.position, error: error) }
                }
                if PQstatus(pointer) == CONNECTION_BAD { throw connectionLostError() }
            }
            try awaitResult(needsFlush: false, deadline: deadline, cancellable: true, cancel: &cancel)
            guard let sync = PQgetResult(pointer) else { throw connectionLostError() }
            let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
            PQclear(sync)
            guard synced, PQexitPipelineMode(pointer) == 1 else { throw connectionLostError() }
        } catch {
            isAbandoned = true
            throw PipelineFailure(position: nil, error: error)
        }
        if let cancel {
            isAbandoned = true
            if let reported = failure?.error as? PostgresError, reported.sqlState == "57014" {
                failure = PipelineFailure(position: failure?.position, error: PostgresError(
                    code: cancel.interruption.code, sqlState: "57014",
                    message: "\(cancel.interruption.reason); the statement was cancelled"))
            }
        }
        if var failure {
            failure.completed = Array(rows.prefix(failure.position ?? 0).compactMap { $0 })
            throw failure
        }
        let complete = rows.compactMap { $0 }
        guard complete.count == items.count else {
            isAbandoned = true
            throw PipelineFailure(position: nil, error: PostgresError(code: .other(""), message: "a pipeline ended without every result"))
        }
        return complete
    }
}
