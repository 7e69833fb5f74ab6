/// A closed list of wire names that a newer sender may extend: every enum of the shared
/// language that travels in messages.
///
/// - Decoding never fails on a name this version does not know: it becomes `.unknown(name)`,
///   so an older consumer handles (or refuses) a newer message instead of dead-lettering it.
/// - Encoding `.unknown(name)` writes `name` back: the value round-trips unchanged, so a
///   service that stores or forwards a message does not lose what it does not understand.
///   Services refuse unknown values in commands (a field rule) before acting on them.
/// - `allCases` lists the known cases only, in declaration order; `.unknown` is made only by
///   ``init(rawValue:)`` and decoding, never for a known name.
public protocol ContractEnum: Codable, Hashable, Sendable, CaseIterable, CodingKeyRepresentable
where AllCases == [Self] {
    /// The wire name.
    var rawValue: String { get }
    /// A wire name this version does not know, kept as it came.
    static func unknown(_ rawValue: String) -> Self
}

extension ContractEnum {
    /// The known case named `rawValue`, or `.unknown(rawValue)`; never fails.
    public init(rawValue: String) {
        // A linear scan: these lists are short, and it costs less than hashing the name.
        for known in Self.allCases where known.rawValue == rawValue {
            self = known
            return
        }
        self = .unknown(rawValue)
    }

    /// The known case named `rawValue`, or nil: for read paths where an unknown name is an error.
    public init?(knownRawValue rawValue: String) {
        self.init(rawValue: rawValue)
        guard isKnown else { return nil }
    }

    /// False for `.unknown`: a value this version cannot act on.
    public var isKnown: Bool {
        Self.allCases.contains(self)
    }

    /// The known wire names, comma-separated, for messages that say what is accepted.
    public static var knownRawValues: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The rule a command field of this type follows, "must be one of a, b, c".
    public static var knownValueRule: String {
        "must be one of \(knownRawValues)"
    }

    /// What is wrong with this value as command input: nil when known, else
    /// ``knownValueRule``. Never contains the unknown name (it came from outside).
    public var knownValueProblem: String? {
        isKnown ? nil : Self.knownValueRule
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Dictionary keys (e.g. gates by phase) are wire names too.
    public var codingKey: any CodingKey {
        ContractEnumKey(stringValue: rawValue)
    }

    public init?<Key: CodingKey>(codingKey: Key) {
        self.init(rawValue: codingKey.stringValue)
    }
}

/// The coding key of a ``ContractEnum`` used as a dictionary key.
struct ContractEnumKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        return nil
    }
}
