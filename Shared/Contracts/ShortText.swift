/// The one rule for a short single-line text a person or a message supplies (a key, a name,
/// a version, a reason): 1 to `max` characters, no control character (C0, DEL or C1).
///
/// Characters are counted as Unicode code points, as PostgreSQL's `length()` counts them in
/// the tables' CHECK constraints: a text that passes here never breaks a constraint there
/// (counting grapheme clusters would let a 40-"character" key of combining marks through).
public enum ShortText {
    public static func problem(_ value: String, max: Int) -> String? {
        let fine = !value.isEmpty && value.unicodeScalars.count <= max && !EnvelopeLimits.containsControlCharacters(value)
        return fine ? nil : "must be 1 to \(max) characters without control characters"
    }

    /// Refuses `value` as the field `field` with the rule `rule` (a validation error naming it).
    public static func check(_ value: String, field: String, max: Int, rule: String) throws(CommandError) {
        if let problem = problem(value, max: max) {
            throw CommandError(.validation, "\(field) \(problem)", rule: rule, fields: [field: problem])
        }
    }
}
