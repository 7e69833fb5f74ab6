import Contracts
import Dispatch
import Foundation
import Images
import Messaging
import Postgres

/// shipboard-build's handlers: saving a release's image spec, and building it when planning
/// sends `build.build_image` (its release entered `build`).
///
/// A build's outcome is an event, never a refusal: planning sent the command through its
/// outbox and waits for `build.image_finished` (which finishes or fails the automated task),
/// and the gateway and notifications read `image.built` / `image.build_failed`. A build that
/// crashes mid-way commits nothing: the command is redelivered and the build runs again,
/// giving the same archive (content addressing makes it one entry).
public struct BuildCommandHandlers: Sendable {
    public let schema: String
    public let importRoot: String
    public let store: String
    public let sizeLimit: Int64

    public init(schema: String = "build", importRoot: String, store: String, sizeLimit: Int64) {
        self.schema = schema
        self.importRoot = importRoot
        self.store = store
        self.sizeLimit = sizeLimit
    }

    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.onCommand(SaveImageSpec.self) { envelope, context in try await saveSpec(envelope, context) }
        handlers.onCommand(BuildImage.self) { envelope, context in try await build(envelope, context) }
        handlers.onCommand(RequestImageBuild.self) { envelope, context in try await requestBuild(envelope, context) }
        return handlers
    }

    func saveSpec(_ envelope: Envelope<SaveImageSpec>, _ context: HandlerContext) async throws -> ImageSpecSaved {
        let spec = try ImageSpec(envelope.payload)
        let revision = try await ImageSpecRepository(schema: schema).save(spec, by: envelope.actor, in: context.transaction)
        return ImageSpecSaved(releaseKey: spec.releaseKey, revision: revision, fileCount: spec.sources.count)
    }

    /// A person's build: answered at once, built in the background by sending `BuildImage` to
    /// this service through the outbox. The task key comes from the request's envelope id, so
    /// a redelivered request names the same build (and the inbox stops it sending twice).
    func requestBuild(_ envelope: Envelope<RequestImageBuild>, _ context: HandlerContext) async throws -> ImageBuildRequested {
        let releaseKey = envelope.payload.releaseKey
        try ImageSpec.checkReleaseKey(releaseKey)
        guard try await ImageSpecRepository(schema: schema).load(releaseKey, in: context.transaction) != nil else {
            throw CommandError(
                .notFound, "\(releaseKey) has no image spec: save one (shipboard image spec) before building", rule: "images.no_spec")
        }
        let taskKey = Self.manualTaskKey(envelope.id)
        try await context.send(BuildImage(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        return ImageBuildRequested(releaseKey: releaseKey, taskKey: taskKey)
    }

    /// `manual-` and the first 8 hex digits of the request's id: never a work-plan task's key
    /// (planning ignores the build's answer for it).
    static func manualTaskKey(_ requestID: UUID) -> String {
        "manual-" + requestID.uuidString.lowercased().prefix(8)
    }

    func build(_ envelope: Envelope<BuildImage>, _ context: HandlerContext) async throws -> Acknowledged {
        let command = envelope.payload
        let records = BuildRecords(schema: schema)
        guard let (spec, revision) = try await ImageSpecRepository(schema: schema).load(command.releaseKey, in: context.transaction) else {
            let reason = "\(command.releaseKey) has no image spec: save one (shipboard image spec) and build again"
            try await fail(reason, command, revision: nil, envelope.actor, records, context)
            return Acknowledged()
        }
        do {
            let built = try await runOffCooperativePool { try buildArchive(spec) }
            try await records.recordBuilt(
                built, release: command.releaseKey, task: command.taskKey, revision: revision, by: envelope.actor,
                in: context.transaction)
            try await context.publish([
                ImageBuilt(releaseKey: command.releaseKey, taskKey: command.taskKey, sha256: built.sha256, size: built.size,
                           fileCount: built.manifest.files.count, communicationPlan: built.communicationPlan),
                ImageBuildFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: true,
                                   detail: "image sha256:\(built.sha256), \(built.size) bytes"),
            ], correlationId: command.releaseKey)
        } catch let error as ImageSpecError {
            try await fail(error.description, command, revision: revision, envelope.actor, records, context)
        } catch let error as ImageStoreError {
            // The store itself failed (full disk, permissions): not the spec's fault, so it is
            // retried rather than reported as a failed build.
            throw error
        }
        return Acknowledged()
    }

    private func buildArchive(_ spec: ImageSpec) throws -> ImageBuilder.Built {
        let builder = try ImageBuilder(importRoot: try ImportRoot(importRoot), store: store, sizeLimit: sizeLimit)
        return try builder.build(spec)
    }

    private func fail(
        _ reason: String, _ command: BuildImage, revision: Int?, _ actor: String, _ records: BuildRecords, _ context: HandlerContext
    ) async throws {
        try await records.recordFailed(
            reason, release: command.releaseKey, task: command.taskKey, revision: revision, by: actor, in: context.transaction)
        try await context.publish([
            ImageBuildFailed(releaseKey: command.releaseKey, taskKey: command.taskKey, reason: reason),
            ImageBuildFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: false, detail: reason),
        ], correlationId: command.releaseKey)
    }

    /// Reading and compressing hundreds of megabytes blocks a thread for seconds: not one of
    /// Swift's few cooperative threads.
    private func runOffCooperativePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}
