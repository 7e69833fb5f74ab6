/// An archive in the cache, verified, and how it got there.
public struct DMLFetched: Sendable, Equatable {
    /// `<cache>/<sha256>.tar.gz`, read-only.
    public var path: String
    /// True when the cached file was used (after re-hashing it); nothing was downloaded.
    public var fromCache: Bool
    /// Where the download started: the size of a partial file left by an interrupted one, else 0.
    public var resumedFrom: Int64
    /// Bytes received over HTTP for this call.
    public var downloadedBytes: Int64

    public init(path: String, fromCache: Bool, resumedFrom: Int64, downloadedBytes: Int64) {
        self.path = path
        self.fromCache = fromCache
        self.resumedFrom = resumedFrom
        self.downloadedBytes = downloadedBytes
    }
}
