import Contracts
import Mustache
import Synchronization

/// Renders a checked template against a context. What comes out is bounded and safe to send:
/// - subject: one line (control characters and line breaks become spaces, runs of spaces
///   collapse), at most ``maxSubject`` characters; a subject that renders empty becomes
///   ``fallbackSubject``;
/// - text: not HTML-escaped (chat text is escaped for Slack), at most
///   ``TemplateCheck/maxTextBytes`` bytes; html: escaped, at most ``TemplateCheck/maxHTMLBytes``.
///   A longer rendering is cut at a character boundary and says so.
public enum TemplateRenderer {
    public static let maxSubject = 200
    public static let fallbackSubject = "Shipboard notification"

    public static func render(_ template: CompiledNotificationTemplate, context: TemplateContext) -> NotificationTemplateText {
        let object = context.values.compactMapValues(TemplateValues.mustacheValue)
        return NotificationTemplateText(
            subject: subjectLine(template.subject.render(object)),
            text: bounded(template.text.render(object), bytes: TemplateCheck.maxTextBytes),
            html: template.html.map { bounded($0.render(object), bytes: TemplateCheck.maxHTMLBytes) })
    }

    /// Checks and renders in one step (a preview: the author sees the problem).
    public static func render(
        checking template: NotificationTemplateText, channel: NotificationChannel, context: TemplateContext
    ) throws(TemplateProblem) -> NotificationTemplateText {
        render(try TemplateCheck.compile(template, channel: channel), context: context)
    }

    /// Renders a template read from the database for a delivery. Saved templates were checked
    /// when saved; one that no longer compiles (a rule added since) is replaced by the built-in
    /// generic message, so the recipient is still told.
    public static func render(
        _ template: NotificationTemplateText, channel: NotificationChannel, context: TemplateContext
    ) -> NotificationTemplateText {
        render(compiledForDelivery(template, eventType: DefaultTemplates.genericType, channel: channel), orUnrendered: template, context: context)
    }

    /// The compiled template a delivery uses: `template` itself, else the built-in one of its
    /// event type, else the generic one; nil only if a built-in one failed its own check.
    /// Compiled once per distinct template, not once per event: parsing and checking cost
    /// more than rendering (the notify benchmark's profile).
    public static func compiledForDelivery(
        _ template: NotificationTemplateText, eventType: String, channel: NotificationChannel
    ) -> CompiledNotificationTemplate? {
        let key = CompiledTemplateCache.Key(
            subject: template.subject, text: template.text, html: template.html, eventType: eventType, channel: channel.rawValue)
        if let cached = CompiledTemplateCache.shared.withLock({ $0[key] }) { return cached }
        let compiled = compileForDelivery(template, eventType: eventType, channel: channel)
        CompiledTemplateCache.shared.withLock { cache in
            // Bounded: stored templates change rarely; a full cache starts again.
            if cache.count >= CompiledTemplateCache.capacity { cache.removeAll() }
            cache[key] = compiled
        }
        return compiled
    }

    private static func compileForDelivery(
        _ template: NotificationTemplateText, eventType: String, channel: NotificationChannel
    ) -> CompiledNotificationTemplate? {
        let candidates = [
            template, DefaultTemplates.template(eventType: eventType, channel: channel),
            DefaultTemplates.template(eventType: DefaultTemplates.genericType, channel: channel),
        ]
        for candidate in candidates {
            if let compiled = try? TemplateCheck.compile(candidate, channel: channel) { return compiled }
        }
        return nil
    }

    /// `compiled` rendered; without one (unreachable while every built-in template passes the
    /// check, which a test asserts), the template's own text unrendered, so the recipient is
    /// still told rather than the event failing.
    public static func render(
        _ compiled: CompiledNotificationTemplate?, orUnrendered raw: NotificationTemplateText, context: TemplateContext
    ) -> NotificationTemplateText {
        guard let compiled else { return NotificationTemplateText(subject: subjectLine(raw.subject), text: raw.text, html: nil) }
        return render(compiled, context: context)
    }

    static func subjectLine(_ rendered: String) -> String {
        var line = ""
        var lastWasSpace = true  // also drops leading spaces
        for scalar in rendered.unicodeScalars {
            let space = scalar.properties.isWhitespace || !TemplateValues.isPrintable(scalar) || scalar == "\t" || scalar == "\n"
            if space {
                if !lastWasSpace { line.unicodeScalars.append(" ") }
            } else {
                line.unicodeScalars.append(scalar)
            }
            lastWasSpace = space
        }
        while line.last == " " { line.removeLast() }
        if line.isEmpty { return fallbackSubject }
        return line.count > maxSubject ? String(line.prefix(maxSubject - 1)) + "…" : line
    }

    static let truncationNote = "\n[cut: the message was longer than a notification may be]"

    static func bounded(_ rendered: String, bytes limit: Int) -> String {
        guard rendered.utf8.count > limit else { return rendered }
        var kept = ""
        var used = 0
        let budget = limit - truncationNote.utf8.count
        for character in rendered {
            let size = character.utf8.count
            guard used + size <= budget else { break }
            kept.append(character)
            used += size
        }
        return kept + truncationNote
    }
}

/// `compiledForDelivery`'s results by everything they depend on (the template's text, the
/// event type and channel that choose its fall-backs). A nil result (every candidate failed
/// its check) is kept too.
enum CompiledTemplateCache {
    struct Key: Hashable {
        let subject: String
        let text: String
        let html: String?
        let eventType: String
        let channel: String
    }

    static let capacity = 512
    static let shared = Mutex<[Key: CompiledNotificationTemplate?]>([:])
}
