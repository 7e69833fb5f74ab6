/// The one line `shipboard` writes on stderr for a failed command:
/// `shipboard: <detail>[: <pointer> <detail>; …] (<rule>)`.
public enum ErrorLine {
    /// A message as one line: control characters (a newline in a server's detail, an escape
    /// sequence) become spaces, runs of spaces one, and a runaway message is cut.
    public static func render(_ message: String) -> String {
        var line = ""
        var lastWasSpace = false
        for scalar in message.unicodeScalars {
            let isSpace = scalar.properties.generalCategory == .control || scalar == " " || scalar == "\t"
            if isSpace {
                if !lastWasSpace, !line.isEmpty { line.append(" ") }
                lastWasSpace = true
            } else {
                line.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while line.hasSuffix(" ") { line.removeLast() }
        if line.count > 2000 { line = String(line.prefix(1999)) + "…" }
        return "shipboard: " + line
    }

    /// The message for an RFC 9457 problem: its detail (else title, else the status), each
    /// invalid field by JSON pointer, and the rule that refused the request.
    public static func problemMessage(
        status: Int, type: String?, title: String?, detail: String?, rule: String?,
        fieldErrors: [(pointer: String, detail: String)] = []
    ) -> String {
        var message = [detail, title].compactMap { $0 }.first { !$0.isEmpty } ?? "the server answered HTTP \(status)"
        let fields = fieldErrors.map { $0.pointer.isEmpty ? $0.detail : "\($0.pointer) \($0.detail)" }
        if !fields.isEmpty { message += ": " + fields.joined(separator: "; ") }
        if let rule = (rule?.isEmpty == false ? rule : nil) ?? type.flatMap(ruleFromProblemType) {
            message += " (\(rule))"
        }
        return message
    }

    /// The rule of a problem type `urn:shipboard:problem:<kind>:<rule>`, for a server that
    /// sent the type without the `rule` member.
    public static func ruleFromProblemType(_ type: String) -> String? {
        let prefix = "urn:shipboard:problem:"
        guard type.hasPrefix(prefix) else { return nil }
        let parts = type.dropFirst(prefix.count).split(separator: ":", maxSplits: 1)
        return parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
    }
}
