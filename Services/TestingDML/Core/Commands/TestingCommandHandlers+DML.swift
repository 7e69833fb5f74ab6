import Contracts
import Foundation
import Images
import Messaging

/// The Definitive Media Library: verify-all, pins, deletion and retention. Rules in
/// ``DMLRules``, SQL in ``DMLRepository``.
///
/// A retired entry keeps its record; its file is removed after the record is updated, and
/// only when no available entry has the same bytes. Under the DML lock nothing adds or pins
/// those bytes meanwhile. Removing is idempotent: a retried command finds the file gone.
extension TestingCommandHandlers {
    func registerDML(into handlers: inout MessageHandlers) {
        handlers.onCommand(VerifyDML.self) { _, context in try await verify(context) }
        handlers.onCommand(PinDMLEntry.self) { envelope, context in
            let command = envelope.payload
            try await changePin(name: command.name, version: command.version, holder: command.holder, pinned: true, context)
            return Acknowledged()
        }
        handlers.onCommand(UnpinDMLEntry.self) { envelope, context in
            let command = envelope.payload
            try await changePin(name: command.name, version: command.version, holder: command.holder, pinned: false, context)
            return Acknowledged()
        }
        handlers.onCommand(DeleteDMLEntry.self) { envelope, context in try await delete(envelope, context) }
    }

    /// `testing.verify_dml`: re-hashes every available entry's file, streaming, off the
    /// cooperative threads; answers and announces the mismatches and missing files.
    func verify(_ context: HandlerContext) async throws -> DMLVerified {
        let entries = try await DMLRepository(schema: schema).allAvailable(in: context.transaction)
        let root = settings.dmlStore
        let mismatches = try await offCooperativePool {
            let store = try DirectoryImageStore(root: root)
            var checked: [String: String?] = [:]
            return entries.compactMap { entry -> DMLMismatch? in
                let problem = checked[entry.sha256] ?? Self.problem(with: entry.sha256, in: store)
                checked[entry.sha256] = problem
                return problem.map { DMLMismatch(name: entry.name, version: entry.version, sha256: entry.sha256, problem: $0) }
            }
        }
        let verified = DMLVerified(checked: entries.count, mismatches: mismatches)
        try await context.publish(verified)
        return verified
    }

    /// What is wrong with the stored bytes of `sha256`, or nil when they hash to it.
    static func problem(with sha256: String, in store: DirectoryImageStore) -> String? {
        guard let digest = ImageDigest(sha256) else { return "not a SHA-256 digest" }
        do {
            let actual = try DirectoryImageStore.digest(of: try store.path(of: digest))
            return actual == digest ? nil : "its bytes now have SHA-256 \(actual.hex)"
        } catch ImageStoreError.notFound {
            return "its file is missing"
        } catch {
            return error.description
        }
    }

    /// `testing.pin_dml_entry` / `unpin_dml_entry`: idempotent; a retired entry cannot be pinned.
    func changePin(name: String, version: String, holder: String, pinned: Bool, _ context: HandlerContext) async throws {
        try DMLRules.checkNameVersion(name, version)
        try ShortText.check(holder, field: "holder", max: 200, rule: "dml.holder")
        let dml = DMLRepository(schema: schema)
        try await dml.lock(in: context.transaction)
        let entry = try await existingEntry(name, version, dml, context)
        if pinned {
            guard entry.isAvailable else {
                throw CommandError(.conflict, "\(entry.label) is retired: its content is gone", rule: "dml.retired")
            }
            try await dml.pin(entry, holder: holder, in: context.transaction)
        } else {
            try await dml.unpin(entry, holder: holder, in: context.transaction)
        }
    }

    /// `testing.delete_dml_entry`: retires an entry nobody holds, by the actor, with a reason.
    func delete(_ envelope: Envelope<DeleteDMLEntry>, _ context: HandlerContext) async throws -> DMLEntry {
        let command = envelope.payload
        try DMLRules.checkNameVersion(command.name, command.version)
        try AcceptanceRules.checkReason(command.reason, field: "reason")
        let dml = DMLRepository(schema: schema)
        try await dml.lock(in: context.transaction)
        let entry = try await existingEntry(command.name, command.version, dml, context)
        try DMLRules.checkDeletable(entry)
        try await retire([entry], by: envelope.actor, reason: command.reason, context)
        guard let retired = try await dml.entry(name: entry.name, version: entry.version, in: context.transaction) else {
            throw CommandError(.internal, "\(entry.label) vanished while it was retired")
        }
        return retired
    }

    /// Retention after `added` was accepted: the name's available versions beyond the newest
    /// `keepVersions` that nobody holds are retired by shipboard-testing.
    func applyRetention(to added: DMLEntry, _ context: HandlerContext) async throws {
        let available = try await DMLRepository(schema: schema).available(named: added.name, in: context.transaction)
        let victims = DMLRules.retentionVictims(available, keep: settings.keepVersions)
        try await retire(victims, by: DMLRules.retentionActor, reason: DMLRules.retentionReason(supersededBy: "\(added.name)@\(added.version)"), context)
    }

    /// Marks `entries` retired, announces each, then removes the files no available entry
    /// still needs. The caller holds the DML lock.
    private func retire(_ entries: [DMLEntryRecord], by actor: String, reason: String, _ context: HandlerContext) async throws {
        let dml = DMLRepository(schema: schema)
        var unneeded: Set<String> = []
        for entry in entries {
            try await dml.retire(entry, by: actor, reason: reason, in: context.transaction)
            try await context.publish(
                DMLEntryRetired(name: entry.name, version: entry.version, sha256: entry.sha256, retiredBy: actor, reason: reason))
            if DMLRules.removesFile(availableSharingDigest: try await dml.availableCount(sha256: entry.sha256, in: context.transaction)) {
                unneeded.insert(entry.sha256)
            }
        }
        guard !unneeded.isEmpty else { return }
        let store = try DirectoryImageStore(root: settings.dmlStore)
        for sha256 in unneeded.sorted() {
            guard let digest = ImageDigest(sha256), let path = try? store.path(of: digest) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw ImageStoreError.io("cannot remove \(digest.hex).tar.gz: \(error.localizedDescription)")
            }
        }
    }

    private func existingEntry(_ name: String, _ version: String, _ dml: DMLRepository, _ context: HandlerContext) async throws -> DMLEntryRecord {
        guard let entry = try await dml.record(name: name, version: version, in: context.transaction) else {
            throw CommandError(.notFound, "no DML entry \(name)@\(version)", rule: "dml.unknown", fields: ["name": "unknown"])
        }
        return entry
    }
}
