import Contracts
import Foundation

/// Who may accept or reject a tested image, and when: pure rules over an
/// ``AcceptanceCandidate``, each refusal a `CommandError` naming its rule.
///
/// - A run is decided once (accepted or rejected); a second decision is a conflict.
/// - Nobody accepts an image they made: the person who saved the release's image spec or
///   requested its build (Shipboard's services, `shipboard-…`, are not people and do not count).
/// - A run with failed tests is accepted only with an override reason.
/// - Reasons are 1 to 1000 characters without control characters.
public enum AcceptanceRules {
    public static let reasonLimit = 1000

    /// Refuses accepting `candidate` as `actor`; returns the override reason to record (nil
    /// when the run passed and none was given).
    public static func checkAccept(_ candidate: AcceptanceCandidate, by actor: String, overrideReason: String?) throws(CommandError) -> String? {
        if let overrideReason { try checkReason(overrideReason, field: "overrideReason") }
        try checkUndecided(candidate)
        let person = normalized(actor)
        if candidate.makers.contains(where: { isPerson($0) && normalized($0) == person }) {
            throw CommandError(.forbidden, "\(person) made this image (saved its spec or requested its build); someone else must accept it",
                               rule: "acceptance.own_build")
        }
        if candidate.failed > 0, overrideReason == nil {
            throw CommandError(
                .conflict, "run \(candidate.runId) has \(candidate.failed) failed test(s): accepting it needs an override reason",
                rule: "acceptance.override_required", fields: ["overrideReason": "required", "failed": String(candidate.failed)])
        }
        return overrideReason
    }

    /// Refuses rejecting `candidate` with `reason`.
    public static func checkReject(_ candidate: AcceptanceCandidate, reason: String) throws(CommandError) {
        try checkReason(reason, field: "reason")
        try checkUndecided(candidate)
    }

    /// A reason of 1 to 1000 characters without control characters (it is shown and audited).
    public static func checkReason(_ reason: String, field: String) throws(CommandError) {
        let blank = reason.allSatisfy(\.isWhitespace)
        if blank || ShortText.problem(reason, max: reasonLimit) != nil {
            let problem = blank ? "required" : "must be 1 to \(reasonLimit) characters without control characters"
            throw CommandError(.validation, "\(field) \(problem)", rule: "acceptance.reason", fields: [field: problem])
        }
    }

    static func checkUndecided(_ candidate: AcceptanceCandidate) throws(CommandError) {
        if let decision = candidate.decision {
            throw CommandError(.conflict, "run \(candidate.runId) was \(decision) already; a run is decided once",
                               rule: "acceptance.decided", fields: ["decision": decision])
        }
    }

    /// Shipboard's services act as `shipboard-<service>`; everyone else is a person.
    static func isPerson(_ actor: String) -> Bool {
        !normalized(actor).hasPrefix("shipboard-")
    }

    /// The gateway puts actors in one form (trimmed, case-folded); stored names may predate it.
    static func normalized(_ actor: String) -> String {
        actor.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
