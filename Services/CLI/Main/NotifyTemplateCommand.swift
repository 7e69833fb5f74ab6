import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard notify template list|show|set|preview`: the Mustache templates messages are
/// rendered from, per event type and channel.
struct NotifyTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "List, show, replace and preview notification templates.",
        subcommands: [List.self, Show.self, Set.self, Preview.self])

    /// EVENT-TYPE CHANNEL, shared by show, set and preview.
    struct Target: ParsableArguments {
        @Argument(help: "The event type (rollout.started) or pattern (rollout.*).") var eventType: String
        @Argument(help: "The channel.") var channel: Components.Schemas.NotificationChannel
    }

    /// A template's parts read from files (at most 128 KiB each).
    struct Parts: ParsableArguments {
        @Option(help: "The subject line (Mustache).") var subject: String?
        @Option(help: "A file holding the plain-text body (Mustache).") var textFile: String?
        @Option(help: "A file holding the HTML body (email only).") var htmlFile: String?

        var given: Bool { subject != nil || textFile != nil || htmlFile != nil }

        func template() throws -> Components.Schemas.NotificationTemplateInput {
            guard let subject, let textFile else { throw ValidationError("give --subject and --text-file (and --html-file for HTML)") }
            return .init(subject: subject, text: try Self.read(textFile), html: try htmlFile.map(Self.read))
        }

        static func read(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
            guard data.count <= 131_072 else { throw CommandFailure("\(path) is larger than 128 KiB") }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path) is not UTF-8 text") }
            return text
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stored templates (the others are the built-in ones).")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listNotificationTemplates() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                guard !list.items.isEmpty else { return "no stored templates: every message uses the built-in ones\n" }
                return TextTable(
                    header: ["EVENT TYPE", "CHANNEL", "REVISION", "UPDATED BY", "UPDATED"],
                    rows: list.items.map { [$0.eventType, $0.channel.rawValue, "\($0.revision)", $0.updatedBy, DateText.cell($0.updatedAt)] }
                ).text
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a template: the stored one, else the built-in default.")
        @OptionGroup var target: Target
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.getNotificationTemplate(path: .init(eventType: target.eventType, channel: target.channel))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { template in
                let origin = template.builtIn ? "built-in" : "revision \(template.revision ?? 0) by \(template.updatedBy ?? "?")"
                var text = "\(template.eventType) \(template.channel.rawValue) (\(origin))\nsubject: \(template.subject)\n\n\(template.text)\n"
                if let html = template.html { text += "\n--- html ---\n\(html)\n" }
                return text
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a template; one that does not compile is refused with the part and line.")
        @OptionGroup var target: Target
        @OptionGroup var parts: Parts
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = try parts.template()
            let reply = try await APISession.run { session in
                try await session.command({
                    try await $0.saveNotificationTemplate(
                        path: .init(eventType: target.eventType, channel: target.channel),
                        headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "saved \(target.eventType) \(target.channel.rawValue): revision \($0.revision)\n" }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a template (the current one, or the one given) against a stored event; nothing is sent.")
        @OptionGroup var target: Target
        @Option(name: .customLong("event"), help: "The stored event's id (default: the latest of the type).") var eventID: String?
        @OptionGroup var parts: Parts
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let eventID, UUID(uuidString: eventID) == nil { throw ValidationError("--event must be an event id (a UUID)") }
        }

        func run() async throws {
            let body = Components.Schemas.NotificationTemplatePreviewInput(
                template: parts.given ? try parts.template() : nil, eventId: eventID?.lowercased())
            let reply = try await APISession.run { session in
                try await session.command({
                    try await $0.previewNotificationTemplate(
                        path: .init(eventType: target.eventType, channel: target.channel),
                        headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { preview in
                var text = "event \(preview.eventId)\nsubject: \(preview.subject)\n\n\(preview.text)\n"
                if let html = preview.html { text += "\n--- html ---\n\(html)\n" }
                return text
            }
        }
    }
}
