import CCurl
import Synchronization

/// Sends email through libcurl's SMTP client (STARTTLS and AUTH as `SMTPSettings` say).
/// - libcurl blocks: each transfer runs on a thread of `BlockingThreads.smtp`, never on
///   Swift's cooperative pool. The dispatcher's `EndpointQueues` bounds how many run at once.
/// - Idle easy handles are kept and reused, so their SMTP connections are too (no new TCP
///   and TLS handshake per message).
/// - One message per transfer, one recipient per message: a refused recipient fails only
///   its own delivery.
/// - The outcome maps curl's code and the server's last reply (`SMTPSender.outcome`); the
///   password is never in a reason.
public struct SMTPSender: NotificationSender {
    public let settings: SMTPSettings
    private let idleHandles = IdleCurlHandles(keeping: 64)

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let email: EmailMessage
        do {
            email = try EmailMessage(message, from: settings.from, fromName: settings.fromName)
        } catch {
            return .permanent(reason: error.description)
        }
        do {
            return try await BlockingThreads.smtp.runIfActive { transfer(email) }
        } catch {
            return .retryable(reason: "no thread for the SMTP transfer (the service is stopping)")
        }
    }

    /// One blocking SMTP transaction on a pooled handle.
    private func transfer(_ email: EmailMessage) -> SendOutcome {
        guard let curl = idleHandles.take() ?? CurlEasyHandle() else {
            return .retryable(reason: "libcurl could not create a handle")
        }
        defer { idleHandles.put(curl) }
        curl.reset()
        let recipients = curl_slist_append(nil, email.recipient)
        defer { curl_slist_free_all(recipients) }
        let source = Unmanaged.passRetained(UploadSource(email.bytes))
        defer { source.release() }
        let handle = curl.handle
        var setup = [
            shipboard_curl_set_string(handle, CURLOPT_URL, settings.url),
            shipboard_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
            shipboard_curl_set_string(handle, CURLOPT_MAIL_FROM, settings.from),
            shipboard_curl_set_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients)),
            shipboard_curl_set_long(handle, CURLOPT_UPLOAD, 1),
            shipboard_curl_set_read_function(handle, UploadSource.read),
            shipboard_curl_set_pointer(handle, CURLOPT_READDATA, source.toOpaque()),
            shipboard_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(curl.errorBuffer)),
            // Signals are the process's (ServiceLifecycle's); timeouts must not use SIGALRM.
            shipboard_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            shipboard_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.timeout)),
            shipboard_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(settings.timeout)),
            shipboard_curl_set_long(handle, CURLOPT_USE_SSL, useSSL),
        ]
        if let username = settings.username, let password = settings.password {
            setup.append(shipboard_curl_set_string(handle, CURLOPT_USERNAME, username))
            setup.append(shipboard_curl_set_string(handle, CURLOPT_PASSWORD, password))
        }
        if let caFile = settings.caFile { setup.append(shipboard_curl_set_string(handle, CURLOPT_CAINFO, caFile)) }
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            return .permanent(reason: "libcurl refused an SMTP option: \(String(cString: curl_easy_strerror(failed)))")
        }
        let code = curl_easy_perform(handle)
        var response = 0
        _ = shipboard_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &response)
        return Self.outcome(code: code, response: response, detail: curl.errorText, secrets: [settings.password])
    }

    private var useSSL: Int {
        switch settings.startTLS {
        case .off: Int(CURLUSESSL_NONE.rawValue)
        case .optional: Int(CURLUSESSL_TRY.rawValue)
        case .required: Int(CURLUSESSL_ALL.rawValue)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// The message bytes libcurl reads through CURLOPT_READFUNCTION, and how far it has read.
/// Confined to the one transfer that owns it (curl calls `read` on the transfer's thread).
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    static let read: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
        let length = min(size * count, source.bytes.count - source.offset)
        guard length > 0 else { return 0 }
        source.bytes.withUnsafeBytes { all in
            UnsafeMutableRawPointer(buffer).copyMemory(from: all.baseAddress! + source.offset, byteCount: length)
        }
        source.offset += length
        return length
    }
}

/// Easy handles between transfers (each keeps its connection open for the next message).
private final class IdleCurlHandles: Sendable {
    private let handles = Mutex<[CurlEasyHandle]>([])
    private let keeping: Int

    init(keeping: Int) {
        self.keeping = keeping
    }

    func take() -> CurlEasyHandle? { handles.withLock { $0.popLast() } }

    func put(_ handle: CurlEasyHandle) {
        handles.withLock { if $0.count < keeping { $0.append(handle) } }
    }
}
