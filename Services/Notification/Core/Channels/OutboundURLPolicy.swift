import Foundation

/// Which webhook and chat URLs shipboard-notify may send to. A URL a person typed must not
/// turn the service into a probe of its own host or of the cloud metadata endpoint:
/// - only `https://` and `http://`, with a host, without userinfo, at most 2,048 characters,
///   no control characters or spaces;
/// - no loopback (127.0.0.0/8, ::1, `localhost`) or link-local (169.254.0.0/16, fe80::/10)
///   target unless the configuration allows it (local demos and tests); never an unspecified
///   (0.0.0.0/8, ::), multicast or reserved one.
/// The gateway checks the URL as typed when a contact point is saved (`problem(with:)`); the
/// senders check it again and every address its host resolves to right before sending
/// (`problemResolving(_:)`), so a DNS name pointing at 127.0.0.1 is refused too.
public struct OutboundURLPolicy: Sendable, Equatable {
    /// The longest URL accepted.
    public static let maximumLength = 2048

    /// Loopback targets allowed (`SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS`).
    public var allowLoopback: Bool
    /// Link-local targets allowed (`SHIPBOARD_NOTIFY_ALLOW_LINK_LOCAL_TARGETS`).
    public var allowLinkLocal: Bool

    public init(allowLoopback: Bool = false, allowLinkLocal: Bool = false) {
        self.allowLoopback = allowLoopback
        self.allowLinkLocal = allowLinkLocal
    }

    /// Why `url` may not be a webhook or chat target, or nil when it may. Looks only at the
    /// text (a literal address, `localhost`), never at DNS.
    public func problem(with url: String) -> String? {
        switch target(of: url) {
        case .failure(let refusal): refusal.reason
        case .success(let target): problem(withHost: target.host)
        }
    }

    /// The scheme, host and port of an accepted URL (the endpoint's identity for
    /// `EndpointQueues`), or why the URL is refused.
    public func target(of url: String) -> Result<OutboundTarget, OutboundURLRefusal> {
        guard !url.isEmpty else { return .failure(.init("the URL is empty")) }
        guard url.count <= Self.maximumLength else {
            return .failure(.init("the URL is longer than \(Self.maximumLength) characters"))
        }
        guard !url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) else {
            return .failure(.init("the URL contains a control character or a space"))
        }
        guard let components = URLComponents(string: url) else { return .failure(.init("the URL is not a valid URL")) }
        guard let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            return .failure(.init("the URL must start with https:// or http://"))
        }
        guard components.user == nil, components.password == nil else {
            return .failure(.init("the URL must not contain a user name or password"))
        }
        var host = (components.host ?? "").lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty else { return .failure(.init("the URL has no host")) }
        if let port = components.port, !(1...65535).contains(port) {
            return .failure(.init("the URL's port is out of range"))
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return .success(OutboundTarget(scheme: scheme, host: host, port: port))
    }

    /// Why `host` (a name or a literal address, without brackets) is refused before any DNS look-up.
    func problem(withHost host: String) -> String? {
        if host == "localhost" || host.hasSuffix(".localhost") {
            return allowLoopback ? nil : "the URL targets this host (localhost)"
        }
        guard let address = IPAddress(literal: host) else { return nil }
        return problem(withAddress: address)
    }

    /// Why a connection to `address` is refused, or nil when it is allowed.
    public func problem(withAddress address: IPAddress) -> String? {
        switch address.scope {
        case .global: nil
        case .loopback: allowLoopback ? nil : "the URL targets a loopback address (\(address))"
        case .linkLocal: allowLinkLocal ? nil : "the URL targets a link-local address (\(address))"
        case .unspecified: "the URL targets an unspecified address (\(address))"
        case .multicast: "the URL targets a multicast or broadcast address (\(address))"
        case .reserved: "the URL targets a reserved address (\(address))"
        }
    }
}

/// Where an accepted URL sends: the identity of one endpoint.
public struct OutboundTarget: Sendable, Hashable {
    /// `https` or `http`.
    public var scheme: String
    /// Lower case, without brackets or a trailing dot.
    public var host: String
    public var port: Int

    /// `scheme://host:port`, a webhook's endpoint.
    public var endpoint: String {
        host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }
}

/// Why a URL is refused: a sentence for the person who typed it (never the URL itself).
public struct OutboundURLRefusal: Error, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}
