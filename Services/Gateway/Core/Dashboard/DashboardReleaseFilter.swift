import Contracts
import Foundation
import PlanningCore

/// The release list's filters as the dashboard's GET form sends them (`phase`, `status`,
/// `priority`, `q`, `after`), turned into the ``ReleaseFilter`` the API's list uses. An empty
/// field does not filter. A value that is not one of the list's words (too long, a NUL, an
/// unknown word) is refused by name of the field, never echoed back: the page shows the
/// form again with the field cleared. The title text `q` is checked by the list query's own
/// rules (``ReleaseQueries``), whose refusal the page reports the same way.
public struct DashboardReleaseFilter: Sendable, Equatable {
    /// Rows on one page of the dashboard's list.
    public static let pageSize = 25

    public var phase: ReleasePhase?
    public var status: ReleaseStatus?
    public var priority: Priority?
    /// Part of the title (`q`), as typed.
    public var titleContains: String?
    /// The key after which the page starts (the API's keyset cursor).
    public var afterKey: String?
    /// Fields whose value was refused, sorted.
    public var refused: [String]

    /// Reads the form; `value(name)` answers a query parameter (nil when absent).
    public init(value: (String) -> String?) {
        var refused: [String] = []
        func known<Word: ContractEnum>(_ name: String, _ type: Word.Type) -> Word? {
            guard let text = value(name), !text.isEmpty else { return nil }
            guard text.utf8.count <= 40, let word = Word(knownRawValue: text) else {
                refused.append(name)
                return nil
            }
            return word
        }
        phase = known("phase", ReleasePhase.self)
        status = known("status", ReleaseStatus.self)
        priority = known("priority", Priority.self)
        titleContains = value("q").flatMap { $0.isEmpty ? nil : $0 }
        if let after = value("after"), !after.isEmpty {
            if ReleaseKeys.isValid(after) { afterKey = after } else { refused.append("after") }
        }
        self.refused = refused.sorted()
    }

    /// The API's filter for this page.
    public var releaseFilter: ReleaseFilter {
        ReleaseFilter(
            phase: phase, status: status, priority: priority, titleContains: titleContains, limit: Self.pageSize, afterKey: afterKey)
    }

    /// The query string that keeps these filters (for the next page's link), each value encoded.
    public var keptQuery: String {
        return [("phase", phase?.rawValue), ("status", status?.rawValue), ("priority", priority?.rawValue), ("q", titleContains)]
            .compactMap { name, value in value.flatMap { $0.addingPercentEncoding(withAllowedCharacters: FormFields.unreserved) }.map { "\(name)=\($0)&" } }
            .joined()
    }
}
