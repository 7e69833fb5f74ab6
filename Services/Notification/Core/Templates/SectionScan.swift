import Foundation

/// Words a template author can act on when swift-mustache refuses a section: which section is
/// left open, and on which line it was opened (the parser reports only where it stopped, the
/// end of the text). Consulted only after the parser has refused the text, and only with the
/// default `{{ }}` delimiters; nil sends the caller back to the parser's own position.
enum SectionScan {
    struct Finding: Equatable {
        var line: Int
        var message: String
    }

    private struct OpenSection {
        var name: String
        var line: Int
    }

    static func explain(_ source: String) -> Finding? {
        var open: [OpenSection] = []
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for tag in sectionTags(in: line) {
                if tag.opens {
                    open.append(OpenSection(name: tag.name, line: index + 1))
                } else if let innermost = open.last {
                    guard innermost.name == tag.name else {
                        return Finding(
                            line: index + 1,
                            message: "section '\(innermost.name)' (opened on line \(innermost.line)) is closed by '{{/\(tag.name)}}'")
                    }
                    open.removeLast()
                } else {
                    return Finding(line: index + 1, message: "'{{/\(tag.name)}}' closes no open section")
                }
            }
        }
        return open.last.map { Finding(line: $0.line, message: "unclosed section '\($0.name)'") }
    }

    /// `{{#name}}`, `{{^name}}` (opening) and `{{/name}}` (closing) tags of one line, in order.
    private static func sectionTags(in line: Substring) -> [(opens: Bool, name: String)] {
        var tags: [(opens: Bool, name: String)] = []
        var rest = line[...]
        while let start = rest.range(of: "{{") {
            rest = rest[start.upperBound...]
            guard let sigil = rest.first, "#^/".contains(sigil), let end = rest.range(of: "}}") else { continue }
            let name = rest[rest.index(after: rest.startIndex)..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            tags.append((opens: sigil != "/", name: String(name.prefix(60))))
            rest = rest[end.upperBound...]
        }
        return tags
    }
}
