import CLICore
import Foundation

/// The pages of a list: the first one, or with `--all` every page by `nextCursor`.
struct Pages<Value: Sendable>: Sendable {
    var replies: [Reply<Value>] = []
    /// The first page was not the last (without `--all`), so the table can say so.
    var hasMore = false

    static func collect(
        all: Bool, _ page: (_ cursor: String?) async throws -> (Reply<Value>, next: String?)
    ) async throws -> Pages {
        var pages = Pages()
        var cursor: String?
        repeat {
            let (reply, next) = try await page(cursor)
            pages.replies.append(reply)
            // A cursor the server repeats would loop forever; stop there instead.
            cursor = next == cursor ? nil : next
        } while all && cursor != nil
        pages.hasMore = !all && cursor != nil
        return pages
    }

    /// JSON: the one page as it came, or the pages' items merged into `{"items": [...]}`;
    /// a table: `table()`, then a note on stderr when there are more pages.
    func emit(output: OutputOptions, noun: String, table: () -> String) throws {
        if output.json {
            let body = replies.count == 1 ? replies[0].body : try? JSONText.mergedItems(pages: replies.compactMap(\.body))
            try Console.printJSON(body)
            return
        }
        Console.out(table())
        if hasMore { Console.err("more \(noun) on the next pages: add --all\n") }
    }
}
