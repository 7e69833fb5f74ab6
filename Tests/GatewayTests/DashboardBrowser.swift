import AsyncHTTPClient
import Foundation
import GatewayCore
import NIOCore

/// A browser for the dashboard tests: keeps the cookies the gateway sets (each `Set-Cookie`
/// on its own, attributes kept for checks), sends them back, never follows a redirect (the
/// tests look at the 303 and its cookies), and reads hidden form fields out of pages.
final class DashboardBrowser: @unchecked Sendable {
    // Invariant: used by one test task at a time (the tests await each call in turn).
    let base: URL
    private let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
    private(set) var cookies: [String: String] = [:]

    struct Page {
        let status: Int
        let html: String
        let location: String?
        /// Each `Set-Cookie` as sent.
        let setCookies: [String]

        /// The value of the first `<input type="hidden" name="NAME" value="…">` on the page.
        func hidden(_ name: String) -> String? {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
            let rest = html[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    init(base: URL) { self.base = base }

    func shutdown() async { try? await client.shutdown() }

    func get(_ path: String) async throws -> Page { try await send("GET", path, form: nil) }

    /// A form POST (`application/x-www-form-urlencoded`).
    func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: FormFields.unreserved) ?? "")" }
            .joined(separator: "&")
        return try await send("POST", path, form: body)
    }

    func forget(_ name: String) { cookies[name] = nil }

    private func send(_ method: String, _ path: String, form: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .init(rawValue: method)
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(Array(form.utf8))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 << 20)
        for header in response.headers["set-cookie"] {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            cookies[parts[0]] = parts[1].isEmpty ? nil : parts[1]
        }
        return Page(
            status: Int(response.status.code), html: String(decoding: Data(body.readableBytesView), as: UTF8.self),
            location: response.headers["location"].first, setCookies: response.headers["set-cookie"])
    }
}
