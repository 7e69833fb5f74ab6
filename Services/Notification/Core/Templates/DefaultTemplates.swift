import Contracts

/// The built-in templates: one message per event type stakeholders care about
/// (``DefaultMessages``), a generic one for any other type, and `briefing` and `digest`. A
/// template saved through the gateway replaces the built-in one of its (event type, channel).
/// Chat and in-app messages are short; email has the details, in plain text and HTML. Every
/// built-in template passes ``TemplateCheck`` (a test renders each against a sample event).
public enum DefaultTemplates {
    /// Event types with a message of their own (the others get the generic one).
    public static var eventTypes: [String] { DefaultMessages.byType.keys.sorted() }

    /// A type no event has: asking for it gives the generic message.
    public static let genericType = "*"

    public static func template(eventType: String, channel: NotificationChannel) -> NotificationTemplateText {
        let message = DefaultMessages.byType[eventType] ?? DefaultMessages.generic
        switch channel {
        case .email:
            // Plain text: a blank line after the greeting and before the details.
            let text = [[greeting], message.summary, message.details].filter { !$0.isEmpty }
                .map { DefaultMessage.source(of: $0, form: .plain) }.joined(separator: "\n")
            let lines = [greeting] + message.summary + message.details
            return NotificationTemplateText(
                subject: message.subject, text: text + emailFooter,
                html: htmlHead + DefaultMessage.source(of: lines, form: .html) + htmlFoot)
        case .chat:
            return NotificationTemplateText(
                subject: message.subject, text: "*\(message.subject)*\n" + DefaultMessage.source(of: message.summary, form: .chat))
        case .webhook, .inApp, .unknown:
            return NotificationTemplateText(subject: message.subject, text: DefaultMessage.source(of: message.summary, form: .plain))
        }
    }

    static let greeting = DefaultMessage.Line.text("Hello {{recipient.displayName}},")

    static let emailFooter = "\n-- \nShipboard release management. Your notification settings: {{links.feed}}\n"

    static let htmlHead = """
        <!DOCTYPE html>
        <html><body style="font-family: sans-serif; line-height: 1.4">

        """

    static let htmlFoot = """
        <hr><p style="color: #666; font-size: smaller">Shipboard release management. <a href="{{links.feed}}">Your notifications</a></p>
        </body></html>

        """
}
