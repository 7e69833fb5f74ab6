// The Definitive Media Library: accepted images, immutable and content-addressed, one per
// `name@version`, with where each came from.

/// One DML entry and its provenance.
public struct DMLEntry: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var sha256: String
    public var size: Int64
    public var releaseKey: String
    /// The build (`build.image_builds.id`) that produced the image.
    public var buildId: Int64
    public var testRunId: Int64
    public var acceptedBy: String
    /// ISO 8601.
    public var acceptedAt: String
    /// Why failures were overridden, when the run had any.
    public var overrideReason: String?
    /// `available`, or `retired` (superseded and removed by the retention policy; the
    /// record stays, the content is gone).
    public var state: String

    public init(
        name: String, version: String, sha256: String, size: Int64, releaseKey: String, buildId: Int64, testRunId: Int64,
        acceptedBy: String, acceptedAt: String, overrideReason: String?, state: String
    ) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.size = size
        self.releaseKey = releaseKey
        self.buildId = buildId
        self.testRunId = testRunId
        self.acceptedBy = acceptedBy
        self.acceptedAt = acceptedAt
        self.overrideReason = overrideReason
        self.state = state
    }
}

/// `dml.entry_added`: an accepted image is in the DML.
public struct DMLEntryAdded: EventContract, Equatable {
    public static let messageType = "dml.entry_added"

    public var entry: DMLEntry
    /// The release whose acceptance this is, and who accepted: the entry's own provenance,
    /// except when the same image was in the DML already under its name and version (then
    /// the entry keeps its first release and acceptor, and `existing` is true). Absent from
    /// older senders: read the entry's.
    public var releaseKey: String?
    public var acceptedBy: String?
    public var existing: Bool?

    public init(entry: DMLEntry, releaseKey: String? = nil, acceptedBy: String? = nil, existing: Bool? = nil) {
        self.entry = entry
        self.releaseKey = releaseKey
        self.acceptedBy = acceptedBy
        self.existing = existing
    }
}

/// `testing.verify_dml`: re-hash every available entry against its SHA-256.
public struct VerifyDML: CommandContract, Equatable {
    public static let messageType = "testing.verify_dml"
    public typealias Result = DMLVerified

    public init() {}
}

/// One entry whose content no longer matches its record (or is missing).
public struct DMLMismatch: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var sha256: String
    public var problem: String

    public init(name: String, version: String, sha256: String, problem: String) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.problem = problem
    }
}

/// `dml.verified`: the outcome of a verify-all (also the command's reply).
public struct DMLVerified: EventContract, Equatable {
    public static let messageType = "dml.verified"

    public var checked: Int
    public var mismatches: [DMLMismatch]

    public init(checked: Int, mismatches: [DMLMismatch]) {
        self.checked = checked
        self.mismatches = mismatches
    }
}

/// Pinning or unpinning: the wire name is the only difference between the two commands.
public protocol DMLPinKind: Sendable {
    static var messageType: String { get }
}

/// `testing.pin_dml_entry`: a holder (e.g. a rollout) uses the entry; it cannot be deleted
/// or retired until every holder has unpinned it.
public enum DMLPin: DMLPinKind {
    public static let messageType = "testing.pin_dml_entry"
}

/// `testing.unpin_dml_entry`: the holder no longer uses the entry.
public enum DMLUnpin: DMLPinKind {
    public static let messageType = "testing.unpin_dml_entry"
}

/// A holder pinning or unpinning one entry (idempotent both ways).
public struct DMLPinCommand<Kind: DMLPinKind>: CommandContract, Equatable {
    public static var messageType: String { Kind.messageType }
    public typealias Result = Acknowledged

    public var name: String
    public var version: String
    public var holder: String

    public init(name: String, version: String, holder: String) {
        self.name = name
        self.version = version
        self.holder = holder
    }
}

public typealias PinDMLEntry = DMLPinCommand<DMLPin>
public typealias UnpinDMLEntry = DMLPinCommand<DMLUnpin>

/// `testing.delete_dml_entry`: remove an entry's content (its record stays, `retired`).
/// Refused while it is pinned.
public struct DeleteDMLEntry: CommandContract, Equatable {
    public static let messageType = "testing.delete_dml_entry"
    public typealias Result = DMLEntry

    public var name: String
    public var version: String
    public var reason: String

    public init(name: String, version: String, reason: String) {
        self.name = name
        self.version = version
        self.reason = reason
    }
}

/// `dml.entry_retired`: an entry's content was removed, by a person or by retention.
public struct DMLEntryRetired: EventContract, Equatable {
    public static let messageType = "dml.entry_retired"

    public var name: String
    public var version: String
    public var sha256: String
    public var retiredBy: String
    public var reason: String

    public init(name: String, version: String, sha256: String, retiredBy: String, reason: String) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.retiredBy = retiredBy
        self.reason = reason
    }
}
