import Foundation
import Messaging

/// Failed outbox rows as a plain table for a terminal: one line per row, columns separated
/// by two spaces, the error last (it is the longest).
struct OutboxFailedRowTable {
    let text: String

    init(_ rows: [OutboxFailedRow]) {
        guard !rows.isEmpty else {
            text = "no failed rows\n"
            return
        }
        let time = ISO8601DateFormatter()
        let header = ["SEQ", "MESSAGE ID", "TYPE", "CORRELATION ID", "ATTEMPTS", "FAILED AT", "ERROR"]
        let lines = rows.map { row in
            [
                "\(row.seq)", row.messageID.uuidString.lowercased(), Self.clip(row.type), Self.clip(row.correlationId),
                "\(row.attempts)", time.string(from: row.failedAt), row.lastError,
            ]
        }
        let all = [header] + lines
        let widths = (0..<header.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        text = all.map { cells in
            cells.enumerated().map { column, cell in
                column < widths.count ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ") + "\n"
        }.joined()
    }

    /// Long values (a correlation id can be the culprit) are cut to keep lines readable.
    private static func clip(_ value: String) -> String {
        value.count > 60 ? String(value.prefix(57)) + "..." : value
    }
}
