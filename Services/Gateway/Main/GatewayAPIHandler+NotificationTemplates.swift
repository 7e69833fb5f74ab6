import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import NotificationCore

/// Notification templates (issue 14): reads from shipboard-notify's table, falling back to
/// its built-in defaults; saving and previewing go to shipboard-notify by request/reply,
/// checked here first by the same rules (a template that does not compile is refused with its
/// part and line, 400, before it is sent).
extension GatewayAPIHandler {
    func listNotificationTemplates(
        _ input: Operations.listNotificationTemplates.Input
    ) async throws -> Operations.listNotificationTemplates.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await notifications.templates())))))
    }

    func getNotificationTemplate(_ input: Operations.getNotificationTemplate.Input) async throws -> Operations.getNotificationTemplate.Output {
        let (eventType, channel) = (input.path.eventType, NotificationChannel(rawValue: input.path.channel.rawValue))
        if let problem = EventPattern.problem(eventType) {
            throw CommandError(.validation, "eventType \(problem)", rule: "notify.event_type", fields: ["eventType": problem])
        }
        if let stored = try await notifications.template(eventType: eventType, channel: channel.rawValue) {
            return .ok(.init(body: .json(try APIValue.convert(stored))))
        }
        let builtIn = DefaultTemplates.template(eventType: eventType, channel: channel)
        return .ok(.init(body: .json(try APIValue.convert(TemplateView(
            eventType: eventType, channel: channel.rawValue, subject: builtIn.subject, text: builtIn.text, html: builtIn.html,
            builtIn: true)))))
    }

    func saveNotificationTemplate(
        _ input: Operations.saveNotificationTemplate.Input
    ) async throws -> Operations.saveNotificationTemplate.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = try NotificationCommandRules.checked(SaveNotificationTemplate(
            eventType: input.path.eventType, channel: NotificationChannel(rawValue: input.path.channel.rawValue),
            template: try APIValue.convert(body)))
        let saved = try await commands.send(
            command, operation: "saveNotificationTemplate", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(saved))))
    }

    func previewNotificationTemplate(
        _ input: Operations.previewNotificationTemplate.Input
    ) async throws -> Operations.previewNotificationTemplate.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = try NotificationCommandRules.checked(PreviewNotificationTemplate(
            eventType: input.path.eventType, channel: NotificationChannel(rawValue: input.path.channel.rawValue),
            template: try body.template.map { try APIValue.convert($0) },
            eventId: body.eventId?.lowercased()))
        let preview = try await commands.send(
            command, operation: "previewNotificationTemplate", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .ok(.init(body: .json(try APIValue.convert(preview))))
    }
}
