import Contracts
import Foundation

/// One DML entry as the rules see it: which bytes, when accepted, whether available, who holds it.
public struct DMLEntryRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var version: String
    public var sha256: String
    public var acceptedAt: Date
    public var isAvailable: Bool
    /// Who pins the entry now (e.g. rollouts), sorted.
    public var holders: [String]

    public init(id: Int64, name: String, version: String, sha256: String, acceptedAt: Date, isAvailable: Bool, holders: [String]) {
        self.id = id
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.acceptedAt = acceptedAt
        self.isAvailable = isAvailable
        self.holders = holders
    }

    public var label: String { "\(name)@\(version)" }
}

/// The Definitive Media Library's rules, apart from storage: a `name@version` names one image
/// for ever; what may be deleted; what retention retires; when a file may go.
public enum DMLRules {
    /// What an accepted image does to the DML at its `name@version`.
    public enum Placement: Sendable, Equatable {
        /// A new entry.
        case add
        /// The same bytes are there already under that name and version: that entry stands.
        case existing
    }

    /// The placement of image `sha256` at `name@version`, given what is stored there: the same
    /// bytes reuse the entry; other bytes, or a retired entry, are refused (never overwritten).
    public static func placement(of sha256: String, at existing: DMLEntryRecord?) throws(CommandError) -> Placement {
        guard let existing else { return .add }
        guard existing.sha256 == sha256 else {
            throw CommandError(
                .conflict, "\(existing.label) is in the DML already as another image (sha256 \(existing.sha256)); give this one a new version",
                rule: "dml.version_taken", fields: ["version": "taken"])
        }
        guard existing.isAvailable else {
            throw CommandError(.conflict, "\(existing.label) was retired from the DML; give the image a new version", rule: "dml.version_retired",
                               fields: ["version": "retired"])
        }
        return .existing
    }

    /// A person may delete (retire) an entry only when nothing holds it.
    public static func checkDeletable(_ entry: DMLEntryRecord) throws(CommandError) {
        guard entry.isAvailable else {
            throw CommandError(.conflict, "\(entry.label) is retired already", rule: "dml.retired")
        }
        guard entry.holders.isEmpty else {
            throw CommandError(.conflict, "\(entry.label) is in use by \(entry.holders.joined(separator: ", ")); unpin it first",
                               rule: "dml.in_use", fields: ["holders": entry.holders.joined(separator: ",")])
        }
    }

    /// The entries retention retires among one name's `available` versions: all but the newest
    /// `keep` by acceptance time (the later id first on a tie), except those someone holds.
    public static func retentionVictims(_ available: [DMLEntryRecord], keep: Int) -> [DMLEntryRecord] {
        let newestFirst = available.filter(\.isAvailable).sorted {
            ($0.acceptedAt, $0.id) > ($1.acceptedAt, $1.id)
        }
        return newestFirst.dropFirst(max(keep, 0)).filter { $0.holders.isEmpty }
    }

    /// Why retention retired an entry.
    public static func retentionReason(supersededBy newest: String) -> String {
        "retention: superseded by \(newest)"
    }

    /// The actor that retires by retention.
    public static let retentionActor = "shipboard-testing"

    /// A retired entry's file goes only when no available entry keeps the same bytes.
    public static func removesFile(availableSharingDigest: Int) -> Bool {
        availableSharingDigest == 0
    }

    /// Refuses a name and version no entry can have (the limits of `dml_entries`).
    public static func checkNameVersion(_ name: String, _ version: String) throws(CommandError) {
        try ShortText.check(name, field: "name", max: 100, rule: "dml.name")
        try ShortText.check(version, field: "version", max: 50, rule: "dml.version")
    }
}
