import Contracts
import Foundation
import Images
import Messaging
import Postgres
import Testing
import TestingCore

/// The DML's commands over the real servers: retention, pins, deletion, verify-all.
@Suite("DML: retention, pins, deletion and verify-all")
struct DMLCommandTests {
    /// Accepts a freshly built and tested `payroll@version` (its own release); returns its digest.
    static func accept(_ harness: TestRunHarness, name: String = "payroll", _ version: String, bytes: Data? = nil) async throws -> String {
        let release = "REL-D\(Int.random(in: 10_000...99_999))"
        let (_, sha256) = try await harness.testedImage(release, name: name, version: version, bytes: bytes)
        _ = try await harness.decide(AcceptImage(releaseKey: release), as: "tess")
        return sha256
    }

    @Test("retention retires the oldest unpinned versions beyond keepVersions (5), by shipboard-testing, and removes their files; pinned ones stay")
    func retention() async throws {
        try await TestRunHarness.run { harness in
            var digests: [String: String] = [:]
            for version in ["1.0", "1.1"] { digests[version] = try await Self.accept(harness, version) }
            _ = try await harness.decide(PinDMLEntry(name: "payroll", version: "1.1", holder: "rollout:R-1"), as: "shipboard-rollout")
            for version in ["1.2", "1.3", "1.4"] { digests[version] = try await Self.accept(harness, version) }
            #expect(try harness.dmlFiles().count == 5, "five versions are kept")

            digests["1.5"] = try await Self.accept(harness, "1.5")
            #expect(try await harness.entryState("payroll", "1.0") == "retired:shipboard-testing:retention: superseded by payroll@1.5")
            #expect(!(try harness.dmlFiles()).contains(try #require(digests["1.0"])))
            // 1.1 is beyond the newest five now, but pinned: nothing goes.
            digests["1.6"] = try await Self.accept(harness, "1.6")
            #expect(try await harness.entryState("payroll", "1.1") == "available")
            #expect(try harness.dmlFiles().count == 6)
            digests["1.7"] = try await Self.accept(harness, "1.7")
            #expect(try await harness.entryState("payroll", "1.1") == "available", "still pinned")
            #expect(try await harness.entryState("payroll", "1.2") == "retired:shipboard-testing:retention: superseded by payroll@1.7")
            let kept = try ["1.1", "1.3", "1.4", "1.5", "1.6", "1.7"].map { try #require(digests[$0]) }
            #expect(try harness.dmlFiles().sorted() == kept.sorted())
            // Another name is untouched by payroll's retention.
            _ = try await Self.accept(harness, name: "ledger", "9.0")
            #expect(try await harness.entryState("ledger", "9.0") == "available")
            let events = try await harness.events()
            #expect(events.filter { $0 == DMLEntryRetired.messageType }.count == 2, "\(events)")
        }
    }

    @Test("a pinned entry cannot be deleted (the holders are named); unpinned, it is retired with who and why, its record kept")
    func deletePinned() async throws {
        try await TestRunHarness.run { harness in
            let sha256 = try await Self.accept(harness, "2.0")
            for _ in 0..<2 {
                _ = try await harness.decide(PinDMLEntry(name: "payroll", version: "2.0", holder: "rollout:R-7"), as: "shipboard-rollout")
            }
            let refused = await harness.refusal(DeleteDMLEntry(name: "payroll", version: "2.0", reason: "superseded"), as: "rita")
            #expect(refused?.kind == .conflict && refused?.rule == "dml.in_use" && refused?.message.contains("rollout:R-7") == true)
            #expect(try harness.dmlFiles() == [sha256])
            let noReason = await harness.refusal(DeleteDMLEntry(name: "payroll", version: "2.0", reason: ""), as: "rita")
            #expect(noReason?.kind == .validation)

            for _ in 0..<2 {
                _ = try await harness.decide(UnpinDMLEntry(name: "payroll", version: "2.0", holder: "rollout:R-7"), as: "shipboard-rollout")
            }
            let retired = try await harness.decide(DeleteDMLEntry(name: "payroll", version: "2.0", reason: "licence withdrawn"), as: "rita")
            #expect(retired.state == "retired" && retired.sha256 == sha256 && retired.acceptedBy == "tess")
            #expect(try await harness.entryState("payroll", "2.0") == "retired:rita:licence withdrawn")
            #expect(try harness.dmlFiles().isEmpty)
            #expect(try await harness.events().last == DMLEntryRetired.messageType)

            let pinRetired = await harness.refusal(PinDMLEntry(name: "payroll", version: "2.0", holder: "rollout:R-8"), as: "shipboard-rollout")
            #expect(pinRetired?.kind == .conflict && pinRetired?.rule == "dml.retired")
            let unknown = await harness.refusal(DeleteDMLEntry(name: "payroll", version: "9.9", reason: "x"), as: "rita")
            #expect(unknown?.kind == .notFound)
            let hostile = await harness.refusal(PinDMLEntry(name: "../../etc", version: "1\u{0}", holder: "x"), as: "shipboard-rollout")
            #expect(hostile?.kind == .validation)
        }
    }

    @Test("a retired entry's file stays while another available entry holds the same bytes")
    func sharedBytes() async throws {
        try await TestRunHarness.run { harness in
            let bytes = Data((0..<3000).map { UInt8($0 % 199) })
            let sha256 = try await Self.accept(harness, name: "payroll", "3.0", bytes: bytes)
            #expect(try await Self.accept(harness, name: "payroll-lts", "3.0", bytes: bytes) == sha256)
            _ = try await harness.decide(DeleteDMLEntry(name: "payroll", version: "3.0", reason: "renamed"), as: "rita")
            #expect(try harness.dmlFiles() == [sha256], "payroll-lts@3.0 still needs the bytes")
            _ = try await harness.decide(DeleteDMLEntry(name: "payroll-lts", version: "3.0", reason: "renamed"), as: "rita")
            #expect(try harness.dmlFiles().isEmpty)
        }
    }

    @Test("the start-up sweep removes store files no available entry needs (a copy whose commit never came), and keeps the rest")
    func sweep() async throws {
        try await TestRunHarness.run { harness in
            let kept = try await Self.accept(harness, "5.0")
            let stray = harness.folder + "/stray.bin"
            try Data("copied, never committed".utf8).write(to: URL(fileURLWithPath: stray))
            let store = try DirectoryImageStore(root: harness.dmlStore)
            let orphan = try store.add(fileAt: stray, expected: nil).hex
            #expect(try await DMLStoreSweep(pool: harness.pool, schema: harness.schema, store: store).run() == [orphan])
            #expect(try harness.dmlFiles() == [kept])
            #expect(try await DMLStoreSweep(pool: harness.pool, schema: harness.schema, store: store).run().isEmpty)
        }
    }

    @Test("verify-all reports a file changed on disk and a missing one, and announces dml.verified")
    func verifyAll() async throws {
        try await TestRunHarness.run { harness in
            let good = try await Self.accept(harness, "4.0")
            let corrupted = try await Self.accept(harness, "4.1")
            let missing = try await Self.accept(harness, "4.2")
            #expect(try await harness.decide(VerifyDML(), as: "auditor") == DMLVerified(checked: 3, mismatches: []))

            // The store's files are read-only (0444): make one writable to change a byte.
            let path = harness.dmlStore + "/\(corrupted).tar.gz"
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[10] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: path))
            try FileManager.default.removeItem(atPath: harness.dmlStore + "/\(missing).tar.gz")

            let verified = try await harness.decide(VerifyDML(), as: "auditor")
            #expect(verified.checked == 3)
            let problems = Dictionary(uniqueKeysWithValues: verified.mismatches.map { ($0.version, $0) })
            #expect(problems.keys.sorted() == ["4.1", "4.2"])
            #expect(problems["4.1"]?.sha256 == corrupted && problems["4.1"]?.problem.contains("now have SHA-256") == true)
            #expect(problems["4.2"]?.sha256 == missing && problems["4.2"]?.problem == "its file is missing")
            #expect(problems["4.0"] == nil && good != corrupted)
            #expect(try await harness.events().filter { $0 == DMLVerified.messageType }.count == 2)
        }
    }
}
