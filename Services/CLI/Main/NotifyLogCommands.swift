import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

// `shipboard notify log|feed|plan`: what was sent for a release, your in-app notifications,
// and a release's scheduled communication.
extension NotifyCommand {
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The release's delivery log: every message to every recipient, with its state and attempts.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Only deliveries in this state.") var state: Components.Schemas.NotificationDeliveryState?
        @Option(help: "Only deliveries on this channel.") var channel: Components.Schemas.NotificationChannel?
        @Option(help: "Only deliveries to this person.") var recipient: String?
        @Flag(help: "The whole log as CSV (up to 10,000 rows) on stdout.") var csv = false
        @Option(help: "Page size, 1 to 200 (server default 50).") var limit: Int?
        @Flag(help: "Every page.") var all = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
        }

        func run() async throws {
            if csv {
                let reply = try await APISession.run { session in
                    try await session.call({
                        try await $0.exportReleaseNotifications(
                            path: .init(key: key.text), query: .init(state: state, channel: channel, recipient: recipient))
                    }, expecting: { try $0.ok.body.csv })
                }
                Console.out(try await String(collecting: reply.value, upTo: 64 * 1_024 * 1_024))
                return
            }
            let pages = try await APISession.run { session in
                try await Pages.collect(all: all) { cursor in
                    let query = Operations.listReleaseNotifications.Input.Query(
                        state: state, channel: channel, recipient: recipient, limit: limit, cursor: cursor)
                    let reply = try await session.call({
                        try await $0.listReleaseNotifications(path: .init(key: key.text), query: query)
                    }, expecting: { try $0.ok.body.json })
                    return (reply, reply.value.nextCursor)
                }
            }
            try pages.emit(output: output, noun: "deliveries") {
                TextTable(
                    header: ["CREATED", "EVENT", "RECIPIENT", "CHANNEL", "STATE", "TRIES", "TO", "ERROR"],
                    rows: pages.replies.flatMap(\.value.items).map { item in
                        [DateText.cell(item.createdAt), item.eventType, item.recipient, item.channel.rawValue, item.state.rawValue,
                         "\(item.attempts)", item.address ?? "", item.lastError ?? ""]
                    }).text
            }
        }
    }

    struct Feed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Your in-app notifications, newest first; --read or --read-all marks them read.")

        @Flag(help: "Only those not read yet.") var unread = false
        @Option(help: "Mark these read: notification ids, comma-separated.") var read: String?
        @Flag(help: "Mark every unread one read.") var readAll = false
        @Option(help: "Page size, 1 to 200 (server default 50).") var limit: Int?
        @Flag(help: "Every page.") var all = false
        @OptionGroup var output: OutputOptions

        var readIDs: [String] { (read ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }

        func validate() throws {
            if read != nil && readAll { throw ValidationError("give --read or --read-all, not both") }
            if read != nil, readIDs.isEmpty || readIDs.contains(where: { UUID(uuidString: $0) == nil }) {
                throw ValidationError("--read takes notification ids (UUIDs), comma-separated")
            }
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
        }

        func run() async throws {
            if read != nil || readAll {
                let body = Components.Schemas.MarkNotificationsReadInput(ids: readIDs, all: readAll ? true : nil)
                let reply = try await APISession.run { session in
                    try await session.command({
                        try await $0.markNotificationsRead(headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
                    }, expecting: { try $0.ok.body.json })
                }
                try output.emit(reply) { "marked \($0.marked) read\n" }
                return
            }
            let pages = try await APISession.run { session in
                try await Pages.collect(all: all) { cursor in
                    let reply = try await session.call({
                        try await $0.getNotificationFeed(query: .init(unread: unread ? true : nil, limit: limit, cursor: cursor))
                    }, expecting: { try $0.ok.body.json })
                    return (reply, reply.value.nextCursor)
                }
            }
            try pages.emit(output: output, noun: "notifications") {
                let unreadCount = pages.replies.first?.value.unread ?? 0
                let rows = pages.replies.flatMap(\.value.items).map { item in
                    [item.read ? "" : "*", DateText.cell(item.createdAt), item.releaseKey ?? "", item.subject, item.id]
                }
                return "\(unreadCount) unread\n" + TextTable(header: ["", "WHEN", "RELEASE", "SUBJECT", "ID"], rows: rows).text
            }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The release's communication plan: each scheduled message, when it is due and whether it was sent.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getCommunicationPlan(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { plan in
                guard !plan.items.isEmpty else { return "no scheduled communication for \(plan.releaseKey)\n" }
                return TextTable(
                    header: ["WHEN", "DUE", "STATE", "AUDIENCES", "SUBJECT"],
                    rows: plan.items.map { item in
                        [CommunicationPlanText.when(offsetSeconds: item.offsetSeconds, outcome: item.outcome?.rawValue),
                         item.dueAt.map(DateText.cell) ?? "", item.state.rawValue, item.audiences.joined(separator: ","), item.subject]
                    }).text
            }
        }
    }
}
