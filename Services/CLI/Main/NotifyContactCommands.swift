import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

// `shipboard notify contacts|site-contacts`: where people are reached, and who speaks for a site.
extension NotifyCommand {
    struct Contacts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change your contact points (an admin: another user's with --user).",
            discussion: """
                Without options, shows yours. --email, --webhook and --chat change only the ones given \
                (an empty value removes it); with --user, the ones given replace all of that user's.
                """)

        @Option(help: "Your email address.") var email: String?
        @Option(help: "A webhook URL (JSON POST, signed).") var webhook: String?
        @Option(help: "A Slack-compatible incoming-webhook URL.") var chat: String?
        @Option(help: "Another user's (admin).") var user: String?
        @OptionGroup var output: OutputOptions

        var changes: Bool { email != nil || webhook != nil || chat != nil }

        func validate() throws {
            if user != nil && !changes { throw ValidationError("with --user, give --email, --webhook or --chat") }
        }

        func run() async throws {
            let reply = try await APISession.run { session in
                if let user {
                    let body = Components.Schemas.ContactPoints(email: email, webhook: webhook, chat: chat)
                    return try await session.call({
                        try await $0.setUserContacts(path: .init(name: user), body: .json(body))
                    }, expecting: { try $0.ok.body.json })
                }
                let current = try await session.call({ try await $0.getMyContacts() }, expecting: { try $0.ok.body.json })
                guard changes else { return current }
                // The PUT replaces every contact point: keep those not named on the command line.
                let body = Components.Schemas.ContactPoints(
                    email: email ?? current.value.email, webhook: webhook ?? current.value.webhook, chat: chat ?? current.value.chat)
                return try await session.call({ try await $0.setMyContacts(body: .json(body)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { contacts in
                TextTable(header: ["CHANNEL", "ADDRESS"], rows: [
                    ["email", contacts.email ?? "-"], ["webhook", contacts.webhook ?? "-"], ["chat", contacts.chat ?? "-"],
                ]).text
            }
        }
    }

    struct SiteContacts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site-contacts",
            abstract: "Show who speaks for a site, or replace them with --set (release managers and admins).")

        @Argument(help: "The site.") var site: String
        @Option(help: "People or group:NAME, comma-separated; an empty value removes them all.") var set: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                guard let set else {
                    return try await session.call({ try await $0.getSiteContacts(path: .init(site: site)) }, expecting: { try $0.ok.body.json })
                }
                let members = set.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return try await session.command({
                    try await $0.setSiteContacts(
                        path: .init(site: site), headers: .init(Idempotency_hyphen_Key: $1), body: .json(.init(members: members)))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { contacts in
                guard !contacts.members.isEmpty else { return "no contacts for site \(contacts.site)\n" }
                return TextTable(
                    header: ["MEMBER", "ADDED BY", "ADDED"],
                    rows: contacts.members.map { [$0.member, $0.addedBy, DateText.cell($0.addedAt)] }).text
            }
        }
    }
}
