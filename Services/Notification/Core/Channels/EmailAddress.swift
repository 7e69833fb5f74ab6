/// The address rules for email recipients and the sender: plain ASCII `local@domain`, as
/// the SMTP envelope and the `To` header both carry it. No display name, no comments, no
/// brackets: what the directory stores is an address, nothing more.
public enum EmailAddress {
    /// The longest address SMTP carries (RFC 5321: a 256-octet path, less the brackets).
    public static let maximumLength = 254

    /// Why `address` is not usable, or nil.
    public static func problem(with address: String) -> String? {
        guard !address.isEmpty else { return "the email address is empty" }
        guard address.utf8.count <= maximumLength else { return "the email address is longer than \(maximumLength) characters" }
        guard address.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7f }) else {
            return "the email address must be ASCII without spaces or control characters"
        }
        guard !address.contains(where: { "<>()[],;:\"\\".contains($0) }) else {
            return "the email address contains a character not allowed in an address (<>()[],;:\"\\)"
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else {
            return "the email address must be local-part@domain"
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard !parts[1].isEmpty, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
            parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
        else { return "the email address's domain is not a valid host name" }
        return nil
    }
}
