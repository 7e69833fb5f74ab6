import Contracts
import Foundation

/// The one rule for a person's contact point, checked where it is typed (the gateway, before
/// `gateway.contact_points` is written) so that shipboard-notify only ever reads addresses it
/// can use:
/// - email: `local@domain`, at most 254 characters, no space, control character or CR/LF
///   (a CR/LF in an address would let a sender add SMTP headers);
/// - webhook and chat URLs: as ``OutboundURLPolicy`` accepts them (`http` or `https`, a host,
///   no user name or password, no space or control character, at most 2,048 characters, no
///   literal loopback or link-local target unless the policy allows it): the same rule the
///   senders apply, so an address saved here is one notify will send to.
/// Refusals are validation errors naming the field and what is wrong; the value itself is
/// never repeated (a URL may hold a token).
public enum ContactPointRules {
    public static let emailLimit = 254
    /// RFC 5321: the local part of a mailbox is at most 64 octets.
    static let localPartLimit = 64

    /// Checks `address` for `channel` (in-app needs no address: always refused here).
    public static func check(
        _ address: String, channel: NotificationChannel, field: String, policy: OutboundURLPolicy
    ) throws(CommandError) {
        switch channel {
        case .email: try checkEmail(address, field: field)
        case .webhook, .chat:
            if let problem = policy.problem(with: address) {
                throw CommandError(.validation, "\(field) is refused: \(problem)", rule: "notify.contact_point", fields: [field: problem])
            }
        case .inApp, .unknown: throw refusal(field, "is not a channel with an address")
        }
    }

    public static func checkEmail(_ address: String, field: String = "email") throws(CommandError) {
        if let problem = emailProblem(address) { throw refusal(field, problem) }
    }

    /// What is wrong with an email address, or nil.
    public static func emailProblem(_ address: String) -> String? {
        if let problem = commonProblem(address, limit: emailLimit) { return problem }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            return "must be an address of the form local@domain"
        }
        guard local.utf8.count <= localPartLimit, isDotAtom(local, allowed: localCharacters) else {
            return "has a local part (before @) that is not a plain mailbox name"
        }
        guard isDotAtom(domain, allowed: domainCharacters),
              domain.split(separator: ".").allSatisfy({ $0.count <= 63 && $0.first != "-" && $0.last != "-" }) else {
            return "has a domain (after @) that is not a host name"
        }
        return nil
    }

    /// Length, control characters (CR and LF among them) and spaces.
    private static func commonProblem(_ address: String, limit: Int) -> String? {
        if address.isEmpty || address.unicodeScalars.count > limit { return "must be 1 to \(limit) characters" }
        if EnvelopeLimits.containsControlCharacters(address) { return "must not contain control characters or line breaks" }
        if address.unicodeScalars.contains(where: { $0.properties.isWhitespace }) { return "must not contain spaces" }
        return nil
    }

    /// One or more runs of `allowed`, separated by single dots.
    private static func isDotAtom(_ text: Substring, allowed: Set<Character>) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in !atom.isEmpty && atom.allSatisfy { allowed.contains($0) } }
    }

    private static let alphanumerics = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    /// RFC 5322 `atext` (ASCII letters, digits and these symbols).
    private static let localCharacters = alphanumerics.union("!#$%&'*+/=?^_`{|}~-")
    private static let domainCharacters = alphanumerics.union("-")

    private static func refusal(_ field: String, _ problem: String) -> CommandError {
        CommandError(.validation, "\(field) \(problem)", rule: "notify.contact_point", fields: [field: problem])
    }
}
