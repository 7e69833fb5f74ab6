import Contracts
import Foundation
import GatewayAPI
import GatewayCore

/// A release's software image: its spec and builds go to shipboard-build by request/reply;
/// reads come from its tables. Each route first checks that the release exists (404), so a
/// typo never reaches the build service.
extension GatewayAPIHandler {
    var images: ImageQueries { ImageQueries(pool: pool) }

    func saveImageSpec(_ input: Operations.saveImageSpec.Input) async throws -> Operations.saveImageSpec.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = try await existingRelease(input.path.key)
        let command = SaveImageSpec(
            releaseKey: key, name: body.name, version: body.version, targetClasses: body.targetClasses ?? [],
            files: body.files.map { ImageSpecFileInput(path: $0.path, from: $0.from, executable: $0.executable ?? false) })
        let saved = try await commands.send(
            command, operation: "saveImageSpec", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .ok(.init(body: .json(.init(releaseKey: saved.releaseKey, revision: saved.revision, fileCount: saved.fileCount))))
    }

    func getReleaseImage(_ input: Operations.getReleaseImage.Input) async throws -> Operations.getReleaseImage.Output {
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(try APIValue.convert(try await images.image(of: key)))))
    }

    func requestImageBuild(_ input: Operations.requestImageBuild.Input) async throws -> Operations.requestImageBuild.Output {
        .accepted(.init(body: .json(try await queue(
            RequestImageBuild.init, "requestImageBuild", input.path.key, input.headers.Idempotency_hyphen_Key))))
    }

    /// Streams the body to the upload folder (``ArtifactUploads``); the size limit answers
    /// 413 as soon as it is passed, with nothing left on disk.
    func uploadImageArtifact(_ input: Operations.uploadImageArtifact.Input) async throws -> Operations.uploadImageArtifact.Output {
        guard case .binary(let body) = input.body else { throw Self.unsupportedBody }
        let destination = try UploadDestination(releaseKey: input.path.key, path: input.path.path)
        _ = try await existingRelease(destination.releaseKey)
        let declared: Int64? = switch body.length {
        case .known(let length): length
        case .unknown: nil
        }
        do {
            let stored = try await artifacts.store(body, at: destination, declaredLength: declared)
            return .created(.init(body: .json(.init(
                path: destination.path.value, from: destination.source.value, sha256: stored.sha256, size: stored.size))))
        } catch let refusal as UploadTooLarge {
            return .contentTooLarge(try Self.problemResponse(
                APIProblem(kind: "validation", rule: "uploads.size", status: 413, detail: refusal.description)))
        }
    }

    /// Sends a command that queues work on an existing release (a build, a test run) and
    /// answers what the service said, in the API's shape (release and task key).
    func queue<Command: CommandContract, Answer: Decodable>(
        _ command: (String) -> Command, _ operation: String, _ key: String, _ idempotencyKey: String?
    ) async throws -> Answer {
        let key = try await existingRelease(key)
        return try APIValue.convert(
            try await commands.send(command(key), operation: operation, idempotencyKey: idempotencyKey, correlation: key))
    }

    /// `key` when a release has it; `notFound` otherwise.
    func existingRelease(_ key: String) async throws -> String {
        _ = try await releases.version(of: key)
        return key
    }
}
