/// A `--gate` of `template define`: `phase=group:count` (the phase's gate needs `count`
/// approvals from members of `group`); `phase=group` means one approval.
public struct GateArgument: Sendable, Equatable {
    public let phase: String
    public let group: String
    public let requiredApprovals: Int

    public init(phase: String, group: String, requiredApprovals: Int) {
        self.phase = phase
        self.group = group
        self.requiredApprovals = requiredApprovals
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The limits of the `Gate` schema in openapi.json, checked here so a typo is a usage
    /// error before anything is sent.
    public static let approvalRange = 1...50

    public init(parsing text: String) throws(Invalid) {
        let format = "--gate must be phase=group:count, e.g. plan=cab:2"
        guard let equals = text.firstIndex(of: "=") else { throw Invalid(description: "\(format) (got \(text.debugDescription))") }
        let phase = String(text[..<equals])
        let rest = text[text.index(after: equals)...]
        guard ReleaseProgress.phases.contains(phase) else {
            throw Invalid(description: "\(phase.debugDescription) is not a phase (\(ReleaseProgress.phases.joined(separator: ", ")))")
        }
        let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let group = String(parts[0])
        guard ConfigurationName.isValid(group) else {
            throw Invalid(description: "\(group.debugDescription) is not a group name (lowercase letters, digits, _ . -; at most 64)")
        }
        var count = 1
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), Self.approvalRange.contains(parsed) else {
                throw Invalid(description: "\(format): count must be 1 to 50 (got \(String(parts[1]).debugDescription))")
            }
            count = parsed
        }
        self.init(phase: phase, group: group, requiredApprovals: count)
    }

    /// Several `--gate`s, each phase at most once.
    public static func parseAll(_ texts: [String]) throws(Invalid) -> [GateArgument] {
        var gates: [GateArgument] = []
        for text in texts {
            let gate = try GateArgument(parsing: text)
            guard !gates.contains(where: { $0.phase == gate.phase }) else {
                throw Invalid(description: "--gate names \(gate.phase) twice")
            }
            gates.append(gate)
        }
        return gates
    }
}

/// Names of templates and approver groups: `^[a-z0-9][a-z0-9_.-]{0,63}$` in openapi.json.
public enum ConfigurationName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z"
        let digit: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard lower.contains(first) || digit.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0) || digit.contains($0) || "_.-".unicodeScalars.contains($0) }
    }
}
