import Contracts
import Foundation

/// One DML entry as the gateway shows it: the entry, where it came from, whether and why it
/// was retired, and who uses it now. The JSON shape is the API's `DMLEntryDetail`.
public struct DMLEntryView: Codable, Sendable, Equatable {
    /// The build and the test run behind the entry, as their services recorded them.
    public struct Provenance: Codable, Sendable, Equatable {
        public var buildTaskKey: String
        public var builtBy: String
        public var builtAt: Date
        public var testOutcome: String
        public var testedBy: String
        public var testedAt: Date
    }

    public struct Pin: Codable, Sendable, Equatable {
        public var holder: String
        public var pinnedAt: Date
    }

    public var entry: DMLEntry
    public var provenance: Provenance?
    public var retiredAt: Date?
    public var retiredBy: String?
    public var retiredReason: String?
    public var pins: [Pin]
}
