import Contracts

/// The size limit of one upload, enforced as the bytes arrive (a declared Content-Length
/// over it is refused before anything is read): an upload never writes more than `limit`.
public struct UploadBudget: Sendable, Equatable {
    public let limit: Int64
    public private(set) var received: Int64 = 0

    public init(limit: Int64) {
        self.limit = limit
    }

    /// Refuses a declared length over the limit.
    public func admit(declaredLength: Int64?) throws(UploadTooLarge) {
        if let declaredLength, declaredLength > limit { throw UploadTooLarge(limit: limit) }
    }

    /// Counts `count` more bytes; refuses when the total passes the limit.
    public mutating func receive(_ count: Int) throws(UploadTooLarge) {
        received += Int64(count)
        if received > limit { throw UploadTooLarge(limit: limit) }
    }
}

/// An upload over the size limit (HTTP 413).
public struct UploadTooLarge: Error, Sendable, Equatable, CustomStringConvertible {
    public let limit: Int64

    public init(limit: Int64) {
        self.limit = limit
    }

    public var description: String { "the upload is larger than the limit of \(limit >> 20) MiB" }
}
