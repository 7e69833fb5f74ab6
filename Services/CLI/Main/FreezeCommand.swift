import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard freeze list|add|remove`: the blackout and maintenance windows.
struct FreezeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "List, add or remove freeze windows (blackouts refuse deployments; maintenance windows are informational).",
        subcommands: [List.self, Add.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the freeze windows.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listFreezeWindows() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { windows in
                TextTable(header: ["ID", "KIND", "WHEN", "ZONE", "SCOPE", "NAME"], rows: windows.map { window in
                    [String(window.id.prefix(8)), window.kind, FreezeText.when(window.schedule), window.timeZone,
                     FreezeText.scope(sites: window.sites, classes: window.ciClasses), window.name]
                }).text
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a window: one-off (--start, --end) or weekly (--weekdays, --at, --minutes), in a named time zone.",
            discussion: """
                Times are wall-clock times in --zone: a weekly window at 22:00 stays at 22:00 local across \
                daylight-saving changes. Examples:
                  shipboard freeze add --name "Year end" --start 2027-12-20T00:00 --end 2028-01-05T00:00 --zone Europe/Berlin
                  shipboard freeze add --name "Weekend" --weekdays saturday,sunday --at 22:00 --minutes 240 --zone Europe/Berlin --site FRA1
                """)

        @Option(help: "The window's name, 1 to 120 characters.") var name: String
        @Option(help: "blackout (deployments refused) or maintenance (informational).") var kind: Components.Schemas.FreezeWindowInput.kindPayload = .blackout
        @Option(help: "An IANA time zone, e.g. Europe/Berlin.") var zone: String
        @Option(help: "One-off: the local start, YYYY-MM-DDTHH:MM.") var start: String?
        @Option(help: "One-off: the local end, YYYY-MM-DDTHH:MM.") var end: String?
        @Option(help: "Weekly: the days, e.g. saturday,sunday.") var weekdays: String?
        @Option(help: "Weekly: the local start time, HH:MM.") var at: String?
        @Option(help: "Weekly: how long each occurrence lasts, in minutes.") var minutes: Int?
        @Option(help: "Weekly: the first day it applies, YYYY-MM-DD.") var from: String?
        @Option(help: "Weekly: the last day it applies, YYYY-MM-DD.") var until: String?
        @Option(help: "Limit it to a site (repeatable).") var site: [String] = []
        @Option(help: "Limit it to a CI class (repeatable).") var ciClass: [String] = []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let days = try weekdays.map { text in
                try text.split(separator: ",").map { day in
                    guard let weekday = Components.Schemas.FreezeSchedule.weekdaysPayloadPayload(rawValue: day.trimmingCharacters(in: .whitespaces).lowercased()) else {
                        throw ValidationError("--weekdays takes monday … sunday, comma-separated")
                    }
                    return weekday
                }
            }
            let body = Components.Schemas.FreezeWindowInput(
                name: name, kind: kind, timeZone: zone,
                schedule: .init(start: start, end: end, weekdays: days, startTime: at, durationMinutes: minutes, firstDate: from, lastDate: until),
                sites: site.isEmpty ? nil : site, ciClasses: ciClass.isEmpty ? nil : ciClass)
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.createFreezeWindow(headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { try $0.created.body.json })
            }
            try output.emit(reply) { "added \($0.kind) '\($0.name)' (\($0.id)): \(FreezeText.when($0.schedule)) \($0.timeZone)\n" }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a freeze window by its id.")
        @Argument(help: "The window's id (a UUID, as `freeze list --output json` shows it).") var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.deleteFreezeWindow(path: .init(id: id), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "removed '\($0.name)'\n" }
        }
    }
}

/// `shipboard calendar`: the iCalendar feed, for a file or a calendar client.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Print the release calendar (scheduled releases and freeze windows) as iCalendar (RFC 5545).")

    @Flag(help: "Instead, get a subscription URL for Outlook or Google Calendar (shown once; it serves this feed and nothing else).")
    var subscribe = false

    func run() async throws {
        let settings = try SettingsLoader.load()
        if subscribe {
            let reply = try await APISession.run(settings: settings) { session in
                try await session.call({ try await $0.issueCalendarFeedToken() }, expecting: { try $0.created.body.json })
            }
            var base = settings.url.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            Console.out("\(base)\(reply.value.path)\n")
            return
        }
        let reply = try await APISession.run(settings: settings) { session in
            try await session.call({ try await $0.getCalendarFeed() }, expecting: { try $0.ok.body.text_calendar })
        }
        Console.out(try await String(collecting: reply.value, upTo: 16 * 1_024 * 1_024))
    }
}

enum FreezeText {
    static func when(_ schedule: Components.Schemas.FreezeSchedule) -> String {
        if let start = schedule.start, let end = schedule.end { return "\(start) – \(end)" }
        let days = (schedule.weekdays ?? []).map { String($0.rawValue.prefix(3)) }.joined(separator: ",")
        return "\(days) \(schedule.startTime ?? "?") +\(schedule.durationMinutes ?? 0)m"
    }

    static func scope(sites: [String], classes: [String]) -> String {
        let parts = sites.map { "site \($0)" } + classes.map { "class \($0)" }
        return parts.isEmpty ? "everywhere" : parts.joined(separator: ", ")
    }
}
