/// Why an import was refused: every problem found, by line, so a whole file can be fixed in
/// one pass. When this is thrown nothing was imported.
public struct CIImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem in the input.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        /// For CSV the physical line (1-based, header is line 1) where the record starts;
        /// for JSON the item's position in `items` (1-based); 0 for the document as a whole.
        public let line: Int
        /// The column or field at fault (`key`, `class`, `depends_on`, …; `header`, `document`).
        public let field: String
        /// What is wrong, without echoing long input back.
        public let message: String

        public init(line: Int, field: String, message: String) {
            self.line = line
            self.field = field
            self.message = message
        }

        public var description: String { "line \(line), \(field): \(message)" }
    }

    /// The problems, in input order.
    public let issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    public var description: String {
        "CI import refused with \(issues.count) error(s): " + issues.map(\.description).joined(separator: "; ")
    }
}
