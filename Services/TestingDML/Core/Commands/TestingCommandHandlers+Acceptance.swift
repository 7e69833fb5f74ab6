import Contracts
import Foundation
import Images
import Messaging

/// Acceptance: a tester accepts the image a test run tested into the DML, or rejects it.
/// The rules are ``AcceptanceRules`` and ``DMLRules``; this reads, copies and records.
///
/// - Accepting copies the image from shipboard-build's store into the DML's, its SHA-256
///   checked while copying (a tampered archive is refused, nothing stored). The copy comes
///   after the records are written (a constraint refuses them before any byte is copied) and
///   before retention removes files; a copy without a record (a crash or a lost connection
///   before the commit) is the same bytes the redelivered command adds again: content
///   addressing makes it one file.
/// - Accept and reject take the DML lock, so two decisions on one run apply one after the
///   other and the second is refused before it copies anything.
/// - A resent command gets its stored reply from the inbox; a new command on a run decided
///   before is refused naming the decision.
extension TestingCommandHandlers {
    func registerAcceptance(into handlers: inout MessageHandlers) {
        handlers.onCommand(AcceptImage.self) { envelope, context in try await accept(envelope, context) }
        handlers.onCommand(RejectImage.self) { envelope, context in try await reject(envelope, context) }
    }

    func accept(_ envelope: Envelope<AcceptImage>, _ context: HandlerContext) async throws -> DMLEntry {
        let command = envelope.payload
        try ShortText.check(command.releaseKey, field: "releaseKey", max: 40, rule: "acceptance.release_key")
        let dml = DMLRepository(schema: schema)
        try await dml.lock(in: context.transaction)
        let acceptances = AcceptanceRepository(schema: schema, buildSchema: buildSchema)
        let candidate = try await acceptances.candidate(releaseKey: command.releaseKey, runId: command.runId, in: context.transaction)
        let overrideReason = try AcceptanceRules.checkAccept(candidate, by: envelope.actor, overrideReason: command.overrideReason)
        let placement = try DMLRules.placement(
            of: candidate.imageSha256,
            at: try await dml.record(name: candidate.name, version: candidate.version, in: context.transaction))
        try await acceptances.record("accepted", on: candidate, by: envelope.actor, reason: overrideReason, in: context.transaction)
        if placement == .existing,
           let existing = try await dml.entry(name: candidate.name, version: candidate.version, in: context.transaction) {
            // No second entry; the release's acceptance still happened, and planning hears of it.
            try await context.publish(
                DMLEntryAdded(entry: existing, releaseKey: candidate.releaseKey, acceptedBy: envelope.actor, existing: true),
                correlationId: candidate.releaseKey)
            return existing
        }
        // The records first (a constraint that refuses them does so before any byte is
        // copied), then the copy, refused (and all rolled back) if the image changed.
        let entry = try await dml.insert(candidate, by: envelope.actor, overrideReason: overrideReason, in: context.transaction)
        try await copyIntoDML(candidate)
        try await context.publish(
            DMLEntryAdded(entry: entry, releaseKey: candidate.releaseKey, acceptedBy: envelope.actor, existing: false),
            correlationId: candidate.releaseKey)
        try await applyRetention(to: entry, context)
        return entry
    }

    func reject(_ envelope: Envelope<RejectImage>, _ context: HandlerContext) async throws -> ImageRejected {
        let command = envelope.payload
        try ShortText.check(command.releaseKey, field: "releaseKey", max: 40, rule: "acceptance.release_key")
        try AcceptanceRules.checkReason(command.reason, field: "reason")
        // Decisions on runs apply one after another (an accept waiting here then sees this one).
        try await DMLRepository(schema: schema).lock(in: context.transaction)
        let acceptances = AcceptanceRepository(schema: schema, buildSchema: buildSchema)
        let candidate = try await acceptances.candidate(releaseKey: command.releaseKey, runId: command.runId, in: context.transaction)
        try AcceptanceRules.checkReject(candidate, reason: command.reason)
        try await acceptances.record("rejected", on: candidate, by: envelope.actor, reason: command.reason, in: context.transaction)
        let rejected = ImageRejected(releaseKey: candidate.releaseKey, runId: candidate.runId, imageSha256: candidate.imageSha256,
                                     rejectedBy: envelope.actor, reason: command.reason)
        try await context.publish(rejected, correlationId: candidate.releaseKey)
        return rejected
    }

    /// Copies the tested image from the build store into the DML store, checking its digest
    /// on the way. An image gone or changed since it was tested is refused; a store that
    /// cannot be used (disk full, permissions) is an error, retried.
    private func copyIntoDML(_ candidate: AcceptanceCandidate) async throws {
        guard let digest = ImageDigest(candidate.imageSha256) else {
            throw CommandError(.conflict, "run \(candidate.runId) names no valid image digest", rule: "acceptance.image_missing")
        }
        let folders = settings
        do {
            try await offCooperativePool {
                let source = try DirectoryImageStore(root: folders.imageStore).path(of: digest)
                _ = try DirectoryImageStore(root: folders.dmlStore).add(fileAt: source, expected: digest)
            }
        } catch ImageStoreError.notFound {
            throw CommandError(.conflict, "image \(digest.hex) is no longer in the build store; build and test it again",
                               rule: "acceptance.image_missing")
        } catch ImageStoreError.digestMismatch(_, let actual) {
            throw CommandError(.conflict, "image \(digest.hex) changed since it was tested (its bytes now hash to \(actual)); it cannot be accepted",
                               rule: "acceptance.image_tampered")
        }
    }
}
