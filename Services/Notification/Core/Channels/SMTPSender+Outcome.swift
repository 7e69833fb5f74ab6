import CCurl

extension SMTPSender {
    /// What a finished transfer means. `response` is the server's last reply code (0 when it
    /// never answered); `detail` is libcurl's error text; every non-nil `secrets` value is
    /// masked out of the reason (libcurl never prints a password, but the reason is logged).
    /// - delivered: CURLE_OK.
    /// - permanent: a 5xx reply (a refused recipient, sender, message or login), a refused
    ///   login, STARTTLS required but not offered, an untrusted certificate, a bad URL.
    /// - retryable: a 4xx reply, timeouts, refused or lost connections, anything else.
    static func outcome(code: CURLcode, response: Int, detail: String, secrets: [String?]) -> SendOutcome {
        if code == CURLE_OK { return .delivered(detail: "SMTP \(response)") }
        var reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        for case let secret? in secrets where !secret.isEmpty {
            reason = reason.replacingOccurrences(of: secret, with: "***")
        }
        let summary = response > 0 ? "SMTP \(response): \(reason)" : reason
        switch code {
        case CURLE_LOGIN_DENIED:
            return .permanent(reason: "the SMTP server refused the login (user name or password): \(summary)")
        case CURLE_USE_SSL_FAILED:
            return .permanent(reason: "the SMTP server does not offer STARTTLS, which the settings require: \(summary)")
        case CURLE_PEER_FAILED_VERIFICATION:
            return .permanent(reason: "the SMTP server's certificate is not trusted: \(summary)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .permanent(reason: "the SMTP server URL cannot be used: \(summary)")
        default:
            break
        }
        switch response {
        case 500..<600: return .permanent(reason: "the SMTP server refused the message: \(summary)")
        case 400..<500: return .retryable(reason: "the SMTP server deferred the message: \(summary)")
        default: return .retryable(reason: "the SMTP send failed: \(summary)")
        }
    }
}
