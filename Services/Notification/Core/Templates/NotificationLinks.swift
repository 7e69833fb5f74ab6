import Foundation

/// The pages a notification points to, under the dashboard's base URL (configuration, e.g.
/// `https://shipboard.example.com`): a release, its approval page, one of its tasks. Keys are
/// percent-encoded as path segments, so a key cannot change which page a link opens.
public struct NotificationLinks: Sendable, Equatable {
    public let baseURL: String

    /// `baseURL` without its trailing slashes.
    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    public func release(_ key: String) -> String {
        "\(baseURL)/releases/\(Self.segment(key))"
    }

    public func approval(_ key: String) -> String {
        release(key) + "/approvals"
    }

    public func task(_ key: String, task: String) -> String {
        release(key) + "/tasks/\(Self.segment(task))"
    }

    /// The notifications feed (where a digest and in-app messages are read).
    public var feed: String { "\(baseURL)/notifications" }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? ""
    }

    /// RFC 3986 unreserved characters: everything else in a segment is percent-encoded.
    private static let segmentCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
