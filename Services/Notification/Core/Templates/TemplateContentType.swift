import Contracts
import Mustache

/// How each part of a notification is escaped when an event's values are inserted, as
/// swift-mustache content types (`{{% CONTENT_TYPE: … }}`, put in front of every part by
/// ``TemplateCheck``):
/// - subject and plain text: `TEXT`, nothing escaped (a plain-text mail must not show `&amp;`);
/// - HTML: `HTML`, `< > & " '` escaped;
/// - chat text: `SHIPBOARD_CHAT`, Slack's own rule (`& < >` escaped), so a value cannot
///   become a link or a mention such as `<!channel>`.
enum TemplateContentType: String {
    case text = "TEXT"
    case html = "HTML"
    case chat = "SHIPBOARD_CHAT"

    /// The content type of `part` of a template for `channel`.
    static func of(_ part: TemplatePart, channel: NotificationChannel) -> TemplateContentType {
        switch part {
        case .subject: .text
        case .html: .html
        case .text: channel == .chat ? .chat : .text
        }
    }

    /// The pragma on a line of its own: swift-mustache drops a standalone tag's line, so the
    /// rendered text is unchanged and every line of the author's text is one line further down.
    var pragma: String {
        Self.registerChat
        return "{{% CONTENT_TYPE: \(rawValue)}}\n"
    }

    /// Registered once, before the first template that names it is parsed (a global's
    /// initialiser runs once, thread-safely).
    private static let registerChat: Void = MustacheContentTypes.register(SlackEscaping(), named: TemplateContentType.chat.rawValue)
}

/// Slack's escaping for message text: `&`, `<` and `>` only (api.slack.com, "Formatting text").
struct SlackEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
