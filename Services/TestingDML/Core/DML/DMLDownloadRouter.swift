import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Images

/// The DML's download routes, for rollout workers on any machine:
///
/// - `GET`/`HEAD /dml/{name}/{version}` and `/dml/sha256/{digest}`: the archive, streamed
///   from the store in chunks (never loaded whole), with `X-Shipboard-SHA256`, `ETag`,
///   `Content-Length`, `Content-Type: application/gzip` and `Accept-Ranges: bytes`; one
///   `Range` (`bytes=a-b`, `a-`, `-n`) answers 206 with `Content-Range`, or 416.
/// - `Authorization: Bearer <SHIPBOARD_DML_TOKEN>` on every request, else 401 (the token is
///   never echoed); 404 for an unknown entry, 410 for a retired one; a malformed name,
///   version or digest is 400. Names are only looked up in the catalog: the file read is
///   always `<store>/<digest>.tar.gz` for a digest the catalog holds, never a path from the URL.
public struct DMLDownloadRouter: Sendable {
    public static let digestHeader = HTTPField.Name("X-Shipboard-SHA256")!

    let catalog: any DMLCatalog
    let store: DirectoryImageStore
    let token: DMLBearerToken
    let fileIO: FileIO

    public init(catalog: any DMLCatalog, store: DirectoryImageStore, token: DMLBearerToken, fileIO: FileIO = FileIO()) {
        self.catalog = catalog
        self.store = store
        self.token = token
        self.fileIO = fileIO
    }

    /// The routes; `HEAD` answers as `GET` without the body.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.get("/dml/sha256/:digest") { request, context in
            try authorize(request)
            guard let digest = context.parameters.get("digest").flatMap(ImageDigest.init) else {
                throw HTTPError(.badRequest, message: "a digest is 64 lowercase hex digits")
            }
            return try await serve(try await catalog.downloadable(sha256: digest.hex), what: "sha256:\(digest.hex)", request, context)
        }
        router.get("/dml/:name/:version") { request, context in
            try authorize(request)
            let name = try Self.pathText(context.parameters.get("name"), field: "name", max: 100)
            let version = try Self.pathText(context.parameters.get("version"), field: "version", max: 50)
            return try await serve(try await catalog.downloadable(name: name, version: version), what: "\(name)@\(version)", request, context)
        }
        return router
    }

    private func authorize(_ request: Request) throws {
        guard token.accepts(authorization: request.headers[.authorization]) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "a valid bearer token is required")
        }
    }

    /// A name or version from the URL, percent-decoded, refused unless it is a short text
    /// without control characters, slashes or dot segments.
    static func pathText(_ raw: String?, field: String, max: Int) throws -> String {
        guard let value = raw?.removingPercentEncoding, ShortText.problem(value, max: max) == nil,
              !value.contains("/"), !value.contains("\\"), value != ".", value != ".."
        else {
            throw HTTPError(.badRequest, message: "\(field) must be 1 to \(max) characters without control characters, slashes or dot segments")
        }
        return value
    }

    private func serve(_ found: DMLDownloadable?, what: String, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let found else { throw HTTPError(.notFound, message: "no DML entry \(what)") }
        guard found.isAvailable else { throw HTTPError(.gone, message: "\(what) was retired from the DML") }
        guard let digest = ImageDigest(found.sha256), let path = try? store.path(of: digest),
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64
        else {
            throw HTTPError(.internalServerError, message: "the content of \(what) is missing from the store; run a DML verify")
        }
        var headers: HTTPFields = [
            Self.digestHeader: digest.hex, .eTag: "\"\(digest.hex)\"", .contentType: "application/gzip", .acceptRanges: "bytes",
        ]
        switch ByteRangeRequest(header: request.headers[.range], size: size) {
        case .whole:
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: try await fileIO.loadFile(path: path, context: context))
        case .part(let first, let last):
            headers[.contentLength] = String(last - first + 1)
            headers[.contentRange] = "bytes \(first)-\(last)/\(size)"
            let body = try await fileIO.loadFile(path: path, range: Int(first)...Int(last), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
    }
}
