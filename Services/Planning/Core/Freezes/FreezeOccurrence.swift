import Foundation

/// One stretch of time in which a freeze window is in force, as absolute instants
/// `[start, end)`, with what a refusal needs to name it in the window's own local time.
public struct FreezeOccurrence: Sendable, Hashable {
    public let windowID: UUID
    public let windowName: String
    public let kind: FreezeWindow.Kind
    public let timeZone: TimeZone
    public let start: Date
    /// Not included: a deployment starting at `end` is outside the occurrence.
    public let end: Date

    public init(window: FreezeWindow, start: Date, end: Date) {
        windowID = window.id
        windowName = window.name
        kind = window.kind
        timeZone = window.timeZone
        self.start = start
        self.end = end
    }

    /// Whether the occurrence shares any instant with `[from, to)`.
    public func overlaps(from: Date, to: Date) -> Bool { start < to && end > from }

    /// The occurrence on its own wall clock, e.g. `2025-03-29 22:00 – 2025-03-30 03:00 Europe/Berlin`:
    /// what a release manager reads in a refusal.
    public var localDescription: String {
        "\(LocalDateTime(instant: start, in: timeZone)) – \(LocalDateTime(instant: end, in: timeZone)) \(timeZone.identifier)"
    }
}
