/// The part of a notification template: the subject line, the plain-text body, the HTML body.
public enum TemplatePart: String, Sendable, CaseIterable {
    case subject, text, html
}

/// Why a template was refused: the part, the line in it (1-based; nil when the problem is the
/// part as a whole, e.g. its size) and what is wrong, e.g. `text, line 3: unclosed section 'payload'`.
public struct TemplateProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var part: TemplatePart
    public var line: Int?
    public var message: String

    public init(part: TemplatePart, line: Int?, message: String) {
        self.part = part
        self.line = line
        self.message = message
    }

    /// The line and the message, without the part (for a field-level error that names the part).
    public var detail: String {
        line.map { "line \($0): \(message)" } ?? message
    }

    public var description: String {
        "\(part.rawValue), \(detail)"
    }
}
