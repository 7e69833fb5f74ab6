import CCurl

/// libcurl needs `curl_global_init` once per process before any handle, from one thread:
/// a Swift global is initialised exactly once, thread-safely, on first use.
private let curlGlobalInitCode: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// Owns one libcurl easy handle and its error buffer; frees both in `deinit`.
///
/// `@unchecked Sendable` invariant: one transfer at a time uses a handle. `SMTPSender`'s pool
/// hands a handle out exclusively to one transfer and takes it back when it ends; nothing
/// else holds it. Reusing a handle reuses its live connection (`curl_easy_reset` keeps it).
final class CurlEasyHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes a readable reason here when a transfer fails.
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// A new handle; nil when libcurl cannot make one (out of memory, failed global init).
    init?() {
        guard curlGlobalInitCode == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Forgets every option of the last transfer (but keeps its connection) and clears the
    /// error buffer.
    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
    }

    /// The error buffer's text (empty when libcurl wrote none).
    var errorText: String { String(cString: errorBuffer) }
}
