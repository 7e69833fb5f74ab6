/// A built-in message written once and turned into every channel's template: a subject, a
/// summary (what chat and in-app show), details (email only) and links. Lines are Mustache;
/// their literal text holds no `<` or `&`, so the same line is valid in plain text and HTML.
struct DefaultMessage {
    var subject: String
    var summary: [Line]
    var details: [Line] = []

    /// One paragraph, a link, or a list, shown only when `condition` (a context name) is set.
    struct Line {
        enum Kind {
            case text(String)
            /// Text whose own line breaks count (a briefing's plan text).
            case block(String)
            case link(label: String, url: String)
            /// `section` is a list in the context; `item` is rendered for each entry, linked to its `url` if given.
            case list(section: String, heading: String, item: String, url: String?)
        }

        var kind: Kind
        var condition: String?

        static func text(_ text: String, when condition: String? = nil) -> Line {
            Line(kind: .text(text), condition: condition)
        }

        static func block(_ text: String) -> Line {
            Line(kind: .block(text), condition: nil)
        }

        static func link(_ label: String, to url: String, when condition: String? = nil) -> Line {
            Line(kind: .link(label: label, url: url), condition: condition)
        }

        static func list(_ section: String, heading: String, item: String, url: String? = nil) -> Line {
            Line(kind: .list(section: section, heading: heading, item: item, url: url), condition: nil)
        }
    }

    enum Form {
        case plain, chat, html
    }

    /// The lines as Mustache source of one form. Conditions and lists use standalone section
    /// tags in the plain forms, which swift-mustache drops with their line: no blank lines.
    static func source(of lines: [Line], form: Form) -> String {
        lines.map { line in
            let body = source(of: line.kind, form: form)
            guard let condition = line.condition else { return body }
            return form == .html
                ? "{{#\(condition)}}\(body.dropLast()){{/\(condition)}}\n"
                : "{{#\(condition)}}\n\(body){{/\(condition)}}\n"
        }.joined()
    }

    private static func source(of kind: Line.Kind, form: Form) -> String {
        switch (kind, form) {
        case (.text(let text), .html): "<p>\(text)</p>\n"
        case (.block(let text), .html): "<div style=\"white-space: pre-wrap\">\(text)</div>\n"
        case (.text(let text), _), (.block(let text), _): "\(text)\n"
        case (.link(let label, let url), .html): "<p><a href=\"{{\(url)}}\">\(label)</a></p>\n"
        case (.link(let label, let url), .chat): "<{{\(url)}}|\(label)>\n"
        case (.link(let label, let url), .plain): "\(label): {{\(url)}}\n"
        case (.list(let section, let heading, let item, let url), _):
            listSource(section: section, heading: heading, item: listItem(item, url: url, form: form), form: form)
        }
    }

    private static func listItem(_ item: String, url: String?, form: Form) -> String {
        guard let url else { return item }
        switch form {
        case .html: return "<a href=\"{{\(url)}}\">\(item)</a>"
        case .chat: return "<{{\(url)}}|\(item)>"
        case .plain: return "\(item): {{\(url)}}"
        }
    }

    /// A heading before the first entry, one entry a line (or an HTML list); nothing when empty.
    private static func listSource(section: String, heading: String, item: String, form: Form) -> String {
        switch form {
        case .html:
            "{{#\(section)}}{{#first()}}<p>\(heading)</p><ul>{{/first()}}<li>\(item)</li>{{#last()}}</ul>{{/last()}}{{/\(section)}}\n"
        case .chat:
            "{{#\(section)}}\n{{#first()}}\n\(heading)\n{{/first()}}\n• \(item)\n{{/\(section)}}\n"
        case .plain:
            "{{#\(section)}}\n{{#first()}}\n\(heading)\n{{/first()}}\n- \(item)\n{{/\(section)}}\n"
        }
    }
}
