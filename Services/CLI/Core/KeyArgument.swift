/// Release and CI keys as a user types them, checked and put in the API's form before a
/// request: a typo is a usage error, not a 400 or a 404 from the server.
public enum KeyArgument {
    /// `REL-000042`, also `rel-000042`, `REL-42` or `42` (zero-padded to six digits, the
    /// form the server issues). The API's pattern is `^REL-[0-9]{6,}$`.
    public static func releaseKey(_ text: String) -> String? {
        let upper = text.uppercased()
        let digits = upper.hasPrefix("REL-") ? String(upper.dropFirst(4)) : upper
        guard !digits.isEmpty, digits.count <= 16, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let padded = digits.count < 6 ? String(repeating: "0", count: 6 - digits.count) + digits : digits
        return "REL-" + padded
    }

    /// `CI-APP-0001` in any case; the API's pattern is `^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$`.
    public static func ciKey(_ text: String) -> String? {
        let upper = text.uppercased()
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "CI", (2...12).contains(parts[1].count), (4...8).contains(parts[2].count),
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              parts[2].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return upper
    }
}
