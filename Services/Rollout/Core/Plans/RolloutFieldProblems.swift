import Contracts

/// The problems found in a request, by field, each with the rule it breaks: the refusal names
/// every field at once, and its rule is that of the first problem found (checks run in a fixed
/// order, so the same input always gets the same rule). Problems state the rule broken and
/// quote no text a person typed unless it passed its format check (no control characters,
/// bounded length), so a hostile value never reaches an error, a log or a dead-letter header.
struct RolloutFieldProblems {
    private(set) var fields: [String: String] = [:]
    private var first: (field: String, rule: String)?

    var isEmpty: Bool { fields.isEmpty }

    mutating func add(_ field: String, _ problem: String, rule: String) {
        guard fields[field] == nil else { return }
        fields[field] = problem
        if first == nil { first = (field, rule) }
    }

    /// Throws the refusal (`kind`) when any problem was found.
    func check(_ kind: CommandError.Kind = .validation, subject: String) throws(CommandError) {
        guard let first, let problem = fields[first.field] else { return }
        let summary = fields.count == 1 ? "" : " (and \(fields.count - 1) more problem(s))"
        throw CommandError(kind, "\(subject): \(first.field) \(problem)\(summary)", rule: first.rule, fields: fields)
    }
}
