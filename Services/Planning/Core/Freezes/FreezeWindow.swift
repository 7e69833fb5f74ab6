import Contracts
import Foundation

/// A calendar entry saying when deployments are refused (a blackout) or expected (a
/// maintenance window), in one named time zone, optionally for some sites or CI classes only.
///
/// - Valid by construction: the initializer refuses bad input with one `freezes.well_formed`
///   validation error naming every wrong field, so no rule ever meets a half-valid window.
/// - Its times are wall-clock times in ``timeZone``: "Saturday 22:00 Europe/Berlin" stays
///   22:00 local across daylight-saving changes; ``FreezeCalendar`` turns them into instants.
/// - Only blackouts refuse deployments (``FreezeCheck``). A maintenance window marks where
///   deployments are expected; one outside every maintenance window is not refused, so
///   maintenance windows are information for the calendar.
public struct FreezeWindow: Sendable, Hashable, Identifiable {
    /// What a window means for deployments.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Deployments are refused unless a release manager overrides with a reason.
        case blackout
        /// Deployments are expected here; informational only.
        case maintenance
    }

    public let id: UUID
    /// Trimmed of surrounding white space; 1 to ``maximumNameLength`` characters, no control characters.
    public let name: String
    public let kind: Kind
    /// A zone of the IANA database, e.g. `Europe/Berlin`.
    public let timeZone: TimeZone
    public let schedule: FreezeSchedule
    public let scope: FreezeScope

    /// The longest name, in characters.
    public static let maximumNameLength = 120

    /// A checked window; throws one `freezes.well_formed` validation error naming every bad field
    /// (`name`, `timeZone`, `schedule.*`, `scope.*`).
    public init(
        id: UUID, name: String, kind: Kind, timeZoneIdentifier: String, schedule: FreezeSchedule, scope: FreezeScope = .everywhere
    ) throws(CommandError) {
        var problems = scope.problems()
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > Self.maximumNameLength || CIFieldRules.controlProblem(trimmed, allowingLineBreaks: false) != nil {
            problems["name"] = "must be 1 to \(Self.maximumNameLength) characters without control characters"
        }
        let zone = Self.zone(timeZoneIdentifier)
        if zone == nil { problems["timeZone"] = "must be a time zone of the IANA database, e.g. Europe/Berlin" }
        switch schedule {
        case .oneOff(let start, let end):
            if let zone, end.instant(in: zone) <= start.instant(in: zone) { problems["schedule.end"] = "must be after the start" }
        case .weekly(let recurrence):
            problems.merge(recurrence.problems()) { first, _ in first }
        }
        guard let zone, problems.isEmpty else {
            throw CommandError(.validation, "the freeze window is not well formed", rule: "freezes.well_formed", fields: problems)
        }
        self.id = id
        self.name = trimmed
        self.kind = kind
        self.timeZone = zone
        self.schedule = schedule
        self.scope = scope
    }

    /// The zone named `identifier`, or nil. Besides being known to the time zone database the
    /// name must be plain (letters, digits, `/`, `_`, `+`, `-`): it is written unquoted as a
    /// `TZID` in the iCalendar feed, where `:`, `;` or `,` would break the line's structure.
    private static func zone(_ identifier: String) -> TimeZone? {
        let plain = (1...64).contains(identifier.utf8.count) && identifier.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "/_+-".utf8.contains(byte)
        }
        return plain ? TimeZone(identifier: identifier) : nil
    }
}
