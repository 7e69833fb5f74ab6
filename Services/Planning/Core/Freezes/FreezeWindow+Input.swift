import Contracts
import Foundation

/// Freeze windows as senders write them (``SaveFreezeWindow``) and as readers get them back
/// (``FreezeWindowSummary``): the text forms of dates, times and days, checked here once.
extension FreezeWindow {
    /// The most sites or CI classes one window may name.
    public static let maximumScopeEntries = 200

    /// The checked window `command` describes, with `id`; every wrong field is named in one
    /// `freezes.well_formed` validation error (a bad schedule is reported before the rest).
    public init(_ command: SaveFreezeWindow, id: UUID) throws(CommandError) {
        guard let kind = Kind(rawValue: command.kind) else {
            throw CommandError(.validation, "the freeze window is not well formed", rule: "freezes.well_formed",
                               fields: ["kind": "must be blackout or maintenance"])
        }
        guard command.sites.count <= Self.maximumScopeEntries, command.ciClasses.count <= Self.maximumScopeEntries else {
            throw CommandError(.validation, "the freeze window is not well formed", rule: "freezes.well_formed",
                               fields: ["scope": "at most \(Self.maximumScopeEntries) sites and \(Self.maximumScopeEntries) CI classes"])
        }
        let scope = FreezeScope(sites: Set(command.sites), ciClasses: Set(command.ciClasses.map(CIClass.init(rawValue:))))
        try self.init(id: id, name: command.name, kind: kind, timeZoneIdentifier: command.timeZone,
                      schedule: try Self.schedule(command.schedule), scope: scope)
    }

    /// The window as readers get it back.
    public var summary: FreezeWindowSummary {
        FreezeWindowSummary(
            id: id, name: name, kind: kind.rawValue, timeZone: timeZone.identifier, schedule: scheduleInput,
            sites: scope.sites.sorted(), ciClasses: scope.ciClasses.map(\.rawValue).sorted())
    }

    /// The schedule in its text form (what is stored and what readers see).
    public var scheduleInput: FreezeScheduleInput {
        switch schedule {
        case .oneOff(let start, let end):
            return FreezeScheduleInput(start: Self.text(start), end: Self.text(end))
        case .weekly(let recurrence):
            return FreezeScheduleInput(
                weekdays: recurrence.weekdays.sorted().map(\.rawValue), startTime: recurrence.startTime.description,
                durationMinutes: recurrence.durationMinutes, firstDate: recurrence.firstDate?.description,
                lastDate: recurrence.lastDate?.description)
        }
    }

    /// The schedule `input` writes: one-off when it has `start`/`end`, weekly when it has
    /// `weekdays`; both or neither is refused.
    public static func schedule(_ input: FreezeScheduleInput) throws(CommandError) -> FreezeSchedule {
        let oneOff = input.start != nil || input.end != nil
        let weekly = input.weekdays != nil || input.startTime != nil || input.durationMinutes != nil
        switch (oneOff, weekly) {
        case (true, false):
            guard let start = input.start, let end = input.end else {
                throw CommandError(.validation, "a one-off window needs start and end", rule: "freezes.well_formed",
                                   fields: [input.start == nil ? "schedule.start" : "schedule.end": "required for a one-off window"])
            }
            return .oneOff(start: try LocalDateTime(parsing: start, field: "schedule.start"),
                           end: try LocalDateTime(parsing: end, field: "schedule.end"))
        case (false, true):
            guard let days = input.weekdays, let startTime = input.startTime, let minutes = input.durationMinutes else {
                throw CommandError(.validation, "a weekly window needs weekdays, startTime and durationMinutes", rule: "freezes.well_formed",
                                   fields: ["schedule": "weekdays, startTime and durationMinutes are required for a weekly window"])
            }
            var weekdays: Set<Weekday> = []
            for day in days.prefix(7 * 4) {
                guard let weekday = Weekday(rawValue: day) else {
                    throw CommandError(.validation, "weekdays are monday … sunday", rule: "freezes.well_formed",
                                       fields: ["schedule.weekdays": "must be monday, tuesday, wednesday, thursday, friday, saturday or sunday"])
                }
                weekdays.insert(weekday)
            }
            return .weekly(WeeklyRecurrence(
                weekdays: weekdays, startTime: try LocalTime(parsing: startTime, field: "schedule.startTime"),
                durationMinutes: minutes,
                firstDate: try input.firstDate.map { text throws(CommandError) in try LocalDate(parsing: text, field: "schedule.firstDate") },
                lastDate: try input.lastDate.map { text throws(CommandError) in try LocalDate(parsing: text, field: "schedule.lastDate") }))
        default:
            throw CommandError(.validation, "give either start and end (one-off) or weekdays, startTime and durationMinutes (weekly)",
                               rule: "freezes.well_formed", fields: ["schedule": "one-off or weekly, not both or neither"])
        }
    }

    private static func text(_ value: LocalDateTime) -> String { "\(value.date)T\(value.time)" }
}
