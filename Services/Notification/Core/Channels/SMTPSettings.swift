import Foundation

/// How shipboard-notify reaches its SMTP server (the `SHIPBOARD_NOTIFY_SMTP_*` variables).
/// The password is a secret: `description` hides it, and no error or outcome contains it.
public struct SMTPSettings: Sendable, CustomStringConvertible {
    /// Whether the connection upgrades to TLS with STARTTLS (`smtps://` is TLS from the start).
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Never: for a local sink only.
        case off
        /// When the server offers it (libcurl's CURLUSESSL_TRY).
        case optional
        /// Always; a server that does not offer it fails every send (CURLUSESSL_ALL).
        case required
    }

    /// `smtp://host:port` or `smtps://host:port` (`SHIPBOARD_NOTIFY_SMTP_URL`).
    public var url: String
    /// The envelope sender and `From` address (`SHIPBOARD_NOTIFY_SMTP_FROM`).
    public var from: String
    /// The `From` display name.
    public var fromName: String
    public var startTLS: StartTLS
    public var username: String?
    public var password: String?
    /// A PEM file of CA certificates to trust instead of the system's (`SHIPBOARD_NOTIFY_SMTP_CA_FILE`).
    public var caFile: String?
    /// Bounds one send, connect to the server's last answer (`SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS`).
    public var timeout: Duration

    /// Checks every value; the error names the variable's meaning and never echoes the password.
    public init(
        url: String, from: String, fromName: String = "Shipboard", startTLS: StartTLS = .optional,
        username: String? = nil, password: String? = nil, caFile: String? = nil, timeout: Duration = .seconds(10)
    ) throws(SMTPSettingsError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty,
            !url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else { throw SMTPSettingsError("the SMTP server URL must be smtp://host:port or smtps://host:port") }
        guard components.user == nil, components.password == nil else {
            throw SMTPSettingsError("the SMTP server URL must not contain a user name or password (set them separately)")
        }
        if let problem = EmailAddress.problem(with: from) { throw SMTPSettingsError("the sender address: \(problem)") }
        if let problem = EmailHeader.problem(with: fromName, field: "sender name") { throw SMTPSettingsError(problem) }
        if (username == nil) != (password == nil) || username?.isEmpty == true || password?.isEmpty == true {
            throw SMTPSettingsError("set both the SMTP user name and password, or neither")
        }
        if let username, username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw SMTPSettingsError("the SMTP user name contains a control character")
        }
        if password != nil, scheme == "smtp", startTLS == .off {
            throw SMTPSettingsError("a password needs STARTTLS (optional or required) or smtps://: it would travel in clear text")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw SMTPSettingsError("the SMTP CA file \(caFile) cannot be read")
        }
        guard timeout > .zero else { throw SMTPSettingsError("the send timeout must be positive") }
        self.url = url
        self.from = from
        self.fromName = fromName
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.caFile = caFile
        self.timeout = timeout
    }

    /// The SMTP server, as configured.
    public var endpoint: String { url.lowercased() }

    public var description: String {
        "SMTPSettings(url: \(url), from: \(from), startTLS: \(startTLS.rawValue), "
            + "username: \(username ?? "none"), password: \(password == nil ? "none" : "***"))"
    }
}

/// A refused SMTP setting, in a sentence for the operator.
public struct SMTPSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
