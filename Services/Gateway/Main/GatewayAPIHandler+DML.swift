import Contracts
import Foundation
import GatewayAPI
import GatewayCore

/// The Definitive Media Library: reads from shipboard-testing's tables, verify-all and
/// retirement by request/reply, and an entry's archive streamed from its download server.
extension GatewayAPIHandler {
    var dml: DMLQueries { DMLQueries(pool: pool) }

    func listDMLEntries(_ input: Operations.listDMLEntries.Input) async throws -> Operations.listDMLEntries.Output {
        let query = input.query
        let filter = try DMLFilter(name: query.name, state: query.state?.rawValue, limit: query.limit ?? 50)
        return .ok(.init(body: .json(.init(items: try APIValue.convert(try await dml.entries(filter))))))
    }

    func getDMLEntry(_ input: Operations.getDMLEntry.Input) async throws -> Operations.getDMLEntry.Output {
        .ok(.init(body: .json(try APIValue.convert(try await dml.entry(name: input.path.name, version: input.path.version)))))
    }

    func verifyDML(_ input: Operations.verifyDML.Input) async throws -> Operations.verifyDML.Output {
        let verified = try await commands.send(VerifyDML(), operation: "verifyDML", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(verified))))
    }

    /// The reason is `?reason=` (a DELETE body is not sent by every client).
    func retireDMLEntry(_ input: Operations.retireDMLEntry.Input) async throws -> Operations.retireDMLEntry.Output {
        let name = input.path.name, version = input.path.version
        try DMLFilter.checkCoordinates(name: name, version: version)
        guard let reason = input.query.reason, !reason.isEmpty else {
            throw CommandError(.validation, "retiring an entry needs a reason", rule: "dml.retire_reason", fields: ["reason": "is required"])
        }
        let retired = try await commands.send(
            DeleteDMLEntry(name: name, version: version, reason: reason), operation: "retireDMLEntry",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(retired))))
    }

    /// Only an available entry is fetched (an unknown or retired one is 404 here, without a
    /// trip to the download server).
    func downloadDMLContent(_ input: Operations.downloadDMLContent.Input) async throws -> Operations.downloadDMLContent.Output {
        let name = input.path.name, version = input.path.version
        let entry = try await dml.entry(name: name, version: version).entry
        guard entry.state == "available" else {
            throw CommandError(.notFound, "\(name)@\(version) was retired; its content is gone", rule: "dml.entry_available")
        }
        let fetched = try await dmlContent.fetch(name: name, version: version, range: input.headers.Range)
        switch fetched.status {
        case 206:
            return .partialContent(.init(
                headers: .init(X_hyphen_Shipboard_hyphen_SHA256: fetched.sha256, Content_hyphen_Range: fetched.contentRange ?? ""),
                body: .binary(fetched.body)))
        case 416:
            return .rangeNotSatisfiable(try Self.problemResponse(APIProblem(
                kind: "validation", rule: "dml.range", status: 416, detail: "the range is outside the archive of \(entry.size) bytes")))
        default:
            return .ok(.init(headers: .init(X_hyphen_Shipboard_hyphen_SHA256: fetched.sha256), body: .binary(fetched.body)))
        }
    }
}
