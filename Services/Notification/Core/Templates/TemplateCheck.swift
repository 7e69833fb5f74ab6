import Foundation
import Contracts
import Mustache

/// The one check of a notification template, for the built-in ones and for those people save:
/// - subject: one line, 1 to ``maxSubject`` characters, no control character;
/// - text: 1 byte to ``maxTextBytes``; html: only for email, at most ``maxHTMLBytes``; no
///   control character but line breaks and tabs;
/// - every part compiles with swift-mustache; a refusal names the part and the line;
/// - no partials or inheritance (`{{> }}`, `{{< }}`: there is no library of partials, they
///   would render nothing), and where values are escaped (HTML, chat) nothing may turn the
///   escaping off: no `{{{ }}}`, `{{& }}`, delimiter change or content-type pragma.
public enum TemplateCheck {
    public static let maxSubject = 1_000
    public static let maxTextBytes = 65_536
    public static let maxHTMLBytes = 131_072

    public static func check(_ template: NotificationTemplateText, channel: NotificationChannel) throws(TemplateProblem) {
        _ = try compile(template, channel: channel)
    }

    public static func compile(
        _ template: NotificationTemplateText, channel: NotificationChannel
    ) throws(TemplateProblem) -> CompiledNotificationTemplate {
        try checkSubject(template.subject)
        try checkBody(template.text, part: .text, limit: maxTextBytes)
        var html: MustacheTemplate?
        if let source = template.html {
            guard channel == .email else {
                throw TemplateProblem(part: .html, line: nil, message: "only an email template has an HTML part")
            }
            try checkBody(source, part: .html, limit: maxHTMLBytes)
            html = try parse(source, part: .html, channel: channel)
        }
        return CompiledNotificationTemplate(
            channel: channel, subject: try parse(template.subject, part: .subject, channel: channel),
            text: try parse(template.text, part: .text, channel: channel), html: html)
    }

    private static func checkSubject(_ subject: String) throws(TemplateProblem) {
        guard !subject.allSatisfy(\.isWhitespace), subject.unicodeScalars.count <= maxSubject else {
            throw TemplateProblem(part: .subject, line: nil, message: "must be 1 to \(maxSubject) characters")
        }
        if subject.contains(where: \.isNewline) {
            throw TemplateProblem(part: .subject, line: nil, message: "must be one line")
        }
        if let line = lineOfControlCharacter(in: subject) {
            throw TemplateProblem(part: .subject, line: line, message: "contains a control character")
        }
    }

    private static func checkBody(_ source: String, part: TemplatePart, limit: Int) throws(TemplateProblem) {
        guard !source.allSatisfy(\.isWhitespace), source.utf8.count <= limit else {
            throw TemplateProblem(part: part, line: nil, message: "must be 1 to \(limit) bytes")
        }
        if let line = lineOfControlCharacter(in: source) {
            throw TemplateProblem(part: part, line: line, message: "contains a control character (only line breaks and tabs are allowed)")
        }
    }

    /// Parses one part behind its content-type pragma; a refusal is reported at the author's line.
    private static func parse(_ source: String, part: TemplatePart, channel: NotificationChannel) throws(TemplateProblem) -> MustacheTemplate {
        let contentType = TemplateContentType.of(part, channel: channel)
        try refuseForbiddenTags(source, part: part, escaped: contentType != .text)
        do {
            return try MustacheTemplate(string: contentType.pragma + source)
        } catch let error as MustacheTemplate.ParserError {
            // The pragma is one line in front of the author's text.
            let parserLine = max(1, error.context.lineNumber - 1)
            if let finding = SectionScan.explain(source), isSectionError(error.error) {
                throw TemplateProblem(part: part, line: finding.line, message: finding.message)
            }
            throw TemplateProblem(part: part, line: parserLine, message: message(for: error.error))
        } catch {
            throw TemplateProblem(part: part, line: nil, message: "does not compile")
        }
    }

    /// Tags a notification template may not use (see the type's comment), with their line.
    private static func refuseForbiddenTags(_ source: String, part: TemplatePart, escaped: Bool) throws(TemplateProblem) {
        var forbidden: [(tag: String, why: String)] = [
            ("{{>", "partials are not available in notification templates"),
            ("{{<", "template inheritance is not available in notification templates"),
        ]
        if escaped {
            let why = "values must stay escaped in this part: use {{name}}, not {{{name}}}, {{&name}}, {{=…=}} or {{%…}}"
            forbidden += [("{{{", why), ("{{&", why), ("{{=", why), ("{{%", why)]
        }
        for (tag, why) in forbidden {
            if let range = source.range(of: tag) {
                throw TemplateProblem(part: part, line: lineNumber(of: range.lowerBound, in: source), message: why)
            }
        }
    }

    private static func isSectionError(_ error: any Error) -> Bool {
        switch error as? MustacheTemplate.Error {
        case .expectedSectionEnd?, .sectionCloseNameIncorrect?: true
        default: false
        }
    }

    private static func message(for error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed with a name that does not match the open section"
        case .unfinishedName?: "a tag is not finished (a missing '}}' or a name with characters a name cannot have)"
        case .expectedSectionEnd?: "a section is not closed"
        case .invalidSetDelimiter?: "a delimiter change ({{=<% %>=}}) is malformed"
        case .transformAppliedToInheritanceSection?, .illegalTokenInsideInheritSection?, .textInsideInheritSection?:
            "template inheritance is not available in notification templates"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: "a pragma ({{% … }}) is malformed or unknown"
        case nil: "does not compile"
        }
    }

    static func lineOfControlCharacter(in source: String) -> Int? {
        var line = 1
        for scalar in source.unicodeScalars {
            switch scalar.value {
            case 0x0A: line += 1
            case 0x09, 0x0D: continue
            case 0x00..<0x20, 0x7F...0x9F: return line
            default: continue
            }
        }
        return nil
    }

    static func lineNumber(of index: String.Index, in source: String) -> Int {
        source[..<index].reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
    }
}
