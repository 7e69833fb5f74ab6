/// The one rule for a configuration item's business key, `CI-<2-12 of A-Z0-9>-<4-8 digits>`
/// (e.g. `CI-APP-0001`, at most 24 characters): the pattern the `configuration_items.key`
/// CHECK enforces. Planning stores CIs under it and the rollout planner refuses source and
/// target keys by it, so both services refuse the same input.
public enum ConfigurationItemKey {
    /// The longest key: `CI-` + 12 + `-` + 8.
    public static let maxLength = 24

    /// True for `^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$` (ASCII only).
    public static func isValid(_ key: String) -> Bool {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "CI" else { return false }
        let tag = parts[1].utf8, number = parts[2].utf8
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let upperOrDigit = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || isDigit(byte) }
        return (2...12).contains(tag.count) && tag.allSatisfy(upperOrDigit)
            && (4...8).contains(number.count) && number.allSatisfy(isDigit)
    }
}
