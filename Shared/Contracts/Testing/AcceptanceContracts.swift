// Acceptance of a tested image by a tester: accepted images are copied into the Definitive
// Media Library (DML); rejected ones are not. Planning's acceptance task follows the outcome.

/// `testing.accept_image`: accept the image a test run tested into the DML. A run with
/// failures needs `overrideReason`; nobody accepts an image they built.
public struct AcceptImage: CommandContract, Equatable {
    public static let messageType = "testing.accept_image"
    public typealias Result = DMLEntry

    public var releaseKey: String
    /// The run whose image is accepted; the release's latest run when absent.
    public var runId: Int64?
    public var overrideReason: String?

    public init(releaseKey: String, runId: Int64? = nil, overrideReason: String? = nil) {
        self.releaseKey = releaseKey
        self.runId = runId
        self.overrideReason = overrideReason
    }
}

/// `testing.reject_image`: the tested image is not fit for the DML, and why.
public struct RejectImage: CommandContract, Equatable {
    public static let messageType = "testing.reject_image"
    public typealias Result = ImageRejected

    public var releaseKey: String
    public var runId: Int64?
    public var reason: String

    public init(releaseKey: String, runId: Int64? = nil, reason: String) {
        self.releaseKey = releaseKey
        self.runId = runId
        self.reason = reason
    }
}

/// `image.rejected`: a tester rejected the image a run tested.
public struct ImageRejected: EventContract, Equatable {
    public static let messageType = "image.rejected"

    public var releaseKey: String
    public var runId: Int64
    public var imageSha256: String
    public var rejectedBy: String
    public var reason: String

    public init(releaseKey: String, runId: Int64, imageSha256: String, rejectedBy: String, reason: String) {
        self.releaseKey = releaseKey
        self.runId = runId
        self.imageSha256 = imageSha256
        self.rejectedBy = rejectedBy
        self.reason = reason
    }
}
