import Contracts
import Foundation
import Images
import Messaging
import Postgres
import Testing
import TestingCore

/// `testing.accept_image` and `testing.reject_image` over the real servers: the rules hold,
/// the image lands in the DML store with its digest checked, and every decision is recorded.
@Suite("Acceptance: accept and reject tested images")
struct AcceptanceCommandTests {
    static func release() -> String { "REL-A\(Int.random(in: 10_000...99_999))" }

    @Test("a passing run is accepted into the DML with its provenance; a resend gets the same entry; a second accept is refused")
    func acceptPassingRun() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (runId, sha256) = try await harness.testedImage(release, version: "1.0.0")
            let command = Envelope(AcceptImage(releaseKey: release), correlationId: release, actor: "tess")
            let entry = try await harness.requests.send(command, timeout: .seconds(15))
            #expect(entry.name == "payroll" && entry.version == "1.0.0" && entry.sha256 == sha256 && entry.state == "available")
            #expect(entry.releaseKey == release && entry.testRunId == runId && entry.acceptedBy == "tess" && entry.overrideReason == nil)
            #expect(try harness.dmlFiles() == [sha256])
            let copy = try DirectoryImageStore(root: harness.dmlStore).path(of: try #require(ImageDigest(sha256)))
            #expect(try DirectoryImageStore.digest(of: copy).hex == sha256)
            #expect(try await harness.outbox(DMLEntryAdded.self, release)
                    == [DMLEntryAdded(entry: entry, releaseKey: release, acceptedBy: "tess", existing: false)])

            // The same envelope again (a retry after a timeout): the stored reply, no second effect.
            #expect(try await harness.requests.send(command, timeout: .seconds(15)) == entry)
            #expect(try await harness.events() == [DMLEntryAdded.messageType])
            // A new accept of the decided run: refused naming the decision.
            let again = await harness.refusal(AcceptImage(releaseKey: release, runId: runId), as: "tess")
            #expect(again?.kind == .conflict && again?.rule == "acceptance.decided" && again?.message.contains("accepted") == true)
            let decisions = try await harness.pool.query(
                "SELECT decision || ':' || decided_by FROM \(identifier: harness.schema).acceptances WHERE run_id = \(runId)"
            ).map { try $0.decode(at: 0, as: String.self) }
            #expect(decisions == ["accepted:tess"])
        }
    }

    @Test("a run with failures is refused without an override; with one it is accepted and the reason recorded")
    func overrideFailures() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (runId, _) = try await harness.testedImage(release, version: "2.0.0", failed: 2)
            let refused = await harness.refusal(AcceptImage(releaseKey: release), as: "tess")
            #expect(refused?.kind == .conflict && refused?.rule == "acceptance.override_required")
            #expect(refused?.message.contains("2 failed") == true)
            #expect(try harness.dmlFiles().isEmpty)
            #expect(try await harness.events().isEmpty)

            let hostile = await harness.refusal(AcceptImage(releaseKey: release, overrideReason: String(repeating: "x", count: 1001)), as: "tess")
            #expect(hostile?.kind == .validation && hostile?.fields?["overrideReason"] != nil)
            let entry = try await harness.decide(AcceptImage(releaseKey: release, runId: runId, overrideReason: "flaky clock test, tracked in CHG-12"), as: "tess")
            #expect(entry.overrideReason == "flaky clock test, tracked in CHG-12")
            let recorded = try await harness.pool.query(
                "SELECT reason FROM \(identifier: harness.schema).acceptances WHERE run_id = \(runId) AND decision = 'accepted'"
            ).single().decode(at: 0, as: String.self)
            #expect(recorded == "flaky clock test, tracked in CHG-12")
        }
    }

    @Test("whoever saved the spec or requested the build may not accept it")
    func builderRefused() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let built = try await harness.recordedBuild(release, version: "3.0.0", requestedBy: "bob", specSavedBy: "bea")
            _ = try await harness.recordedRun(release, built)
            for person in ["bob", "Bea"] {
                let refused = await harness.refusal(AcceptImage(releaseKey: release), as: person)
                #expect(refused?.kind == .forbidden && refused?.rule == "acceptance.own_build", "\(person)")
            }
            #expect(try harness.dmlFiles().isEmpty)
            #expect(try await harness.decide(AcceptImage(releaseKey: release), as: "tess").acceptedBy == "tess")
        }
    }

    @Test("name@version is one image for ever: other bytes are refused, the same bytes return the existing entry")
    func versionTaken() async throws {
        try await TestRunHarness.run { harness in
            let first = Self.release(), second = Self.release(), third = Self.release()
            let bytes = Data((0..<2048).map { UInt8($0 % 251) })
            _ = try await harness.testedImage(first, version: "4.0.0", bytes: bytes)
            let entry = try await harness.decide(AcceptImage(releaseKey: first), as: "tess")

            _ = try await harness.testedImage(second, version: "4.0.0")
            let taken = await harness.refusal(AcceptImage(releaseKey: second), as: "tess")
            #expect(taken?.kind == .conflict && taken?.rule == "dml.version_taken" && taken?.message.contains("payroll@4.0.0") == true)

            _ = try await harness.testedImage(third, version: "4.0.0", bytes: bytes)
            #expect(try await harness.decide(AcceptImage(releaseKey: third), as: "tom") == entry)
            let entries = try await harness.pool.query("SELECT count(*) FROM \(identifier: harness.schema).dml_entries").single().decode(at: 0, as: Int.self)
            #expect(entries == 1)
            // The third release's acceptance is announced (for its planning task), naming the entry that stands.
            let added = try await harness.outbox(DMLEntryAdded.self, third)
            #expect(added == [DMLEntryAdded(entry: entry, releaseKey: third, acceptedBy: "tom", existing: true)])
            #expect(try await harness.events() == [DMLEntryAdded.messageType, DMLEntryAdded.messageType])
        }
    }

    @Test("a rejection needs a reason, is recorded and announced, and decides the run")
    func reject() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (runId, sha256) = try await harness.testedImage(release, version: "5.0.0", failed: 1)
            for reason in ["", "   ", "bad\u{0}"] {
                let refused = await harness.refusal(RejectImage(releaseKey: release, reason: reason), as: "tess")
                #expect(refused?.kind == .validation && refused?.fields?["reason"] != nil)
            }
            let rejected = try await harness.decide(RejectImage(releaseKey: release, runId: runId, reason: "backout leaves /opt behind"), as: "tess")
            #expect(rejected == ImageRejected(releaseKey: release, runId: runId, imageSha256: sha256, rejectedBy: "tess", reason: "backout leaves /opt behind"))
            #expect(try await harness.events() == [ImageRejected.messageType])
            let recorded = try await harness.pool.query(
                "SELECT decision || ':' || decided_by || ':' || reason FROM \(identifier: harness.schema).acceptances WHERE run_id = \(runId)"
            ).single().decode(at: 0, as: String.self)
            #expect(recorded == "rejected:tess:backout leaves /opt behind")
            let accept = await harness.refusal(AcceptImage(releaseKey: release, overrideReason: "ship it"), as: "tess")
            #expect(accept?.rule == "acceptance.decided" && accept?.message.contains("rejected") == true)
            #expect(try harness.dmlFiles().isEmpty)
        }
    }

    @Test("an accept and a reject of one run sent at once: exactly one decides it, the other is refused naming that decision")
    func concurrentDecisions() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (runId, _) = try await harness.testedImage(release, version: "5.5.0")
            // Other correlation ids: other lanes, so the consumer may handle both at once.
            func refusal<C: CommandContract>(_ command: C, as actor: String) async -> CommandError? {
                do {
                    _ = try await harness.requests.send(Envelope(command, correlationId: "\(actor)-\(runId)", actor: actor), timeout: .seconds(15))
                    return nil
                } catch {
                    return error
                }
            }
            async let accepted = refusal(AcceptImage(releaseKey: release, runId: runId), as: "tess")
            async let rejected = refusal(RejectImage(releaseKey: release, runId: runId, reason: "not this one"), as: "tom")
            let outcomes = await [accepted, rejected]
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
            let refusal = try #require(outcomes.compactMap { $0 }.first)
            #expect(refusal.rule == "acceptance.decided", "\(refusal)")
            let decisions = try await harness.pool.query(
                "SELECT decision FROM \(identifier: harness.schema).acceptances WHERE run_id = \(runId)"
            ).map { try $0.decode(at: 0, as: String.self) }
            #expect(decisions.count == 1 && refusal.fields?["decision"] == decisions.first)
            #expect(try harness.dmlFiles().count == (decisions == ["accepted"] ? 1 : 0))
        }
    }

    @Test("a run of another release, or a release without runs, is not found")
    func unknownRun() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (runId, _) = try await harness.testedImage(release, version: "6.0.0")
            let other = await harness.refusal(AcceptImage(releaseKey: Self.release(), runId: runId), as: "tess")
            #expect(other?.kind == .notFound && other?.rule == "acceptance.run_unknown")
            let none = await harness.refusal(RejectImage(releaseKey: "REL-NONE", reason: "no"), as: "tess")
            #expect(none?.kind == .notFound)
            let hostile = await harness.refusal(AcceptImage(releaseKey: String(repeating: "K", count: 300)), as: "tess")
            #expect(hostile?.kind == .validation && hostile?.fields?["releaseKey"] != nil)
        }
    }

    @Test("an image changed in the build store since it was tested cannot be accepted; nothing lands in the DML")
    func tamperedImage() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let (_, sha256) = try await harness.testedImage(release, version: "7.0.0")
            let path = harness.store + "/\(sha256).tar.gz"
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seek(toOffset: 100)
            try handle.write(contentsOf: Data("tampered".utf8))
            try handle.close()
            let refused = await harness.refusal(AcceptImage(releaseKey: release), as: "tess")
            #expect(refused?.kind == .conflict && refused?.rule == "acceptance.image_tampered")
            #expect(try harness.dmlFiles().isEmpty)
            #expect(try await harness.events().isEmpty)
        }
    }
}
