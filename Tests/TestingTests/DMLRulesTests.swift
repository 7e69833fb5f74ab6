import Contracts
import Foundation
import Testing
import TestingCore

/// The DML's rules without a database: placement, deletion, retention, file removal.
@Suite("DML rules")
struct DMLRulesTests {
    static let digestA = String(repeating: "a", count: 64)
    static let digestB = String(repeating: "b", count: 64)

    static func record(_ id: Int64, _ version: String, at minute: Double, sha256: String = digestA, available: Bool = true,
                       holders: [String] = []) -> DMLEntryRecord {
        DMLEntryRecord(id: id, name: "payroll", version: version, sha256: sha256, acceptedAt: Date(timeIntervalSince1970: minute * 60),
                       isAvailable: available, holders: holders)
    }

    @Test("a new name@version is added; the same bytes reuse the entry; other bytes or a retired entry are refused")
    func placement() throws {
        #expect(try DMLRules.placement(of: Self.digestA, at: nil) == .add)
        #expect(try DMLRules.placement(of: Self.digestA, at: Self.record(1, "1.0", at: 0)) == .existing)
        do {
            _ = try DMLRules.placement(of: Self.digestB, at: Self.record(1, "1.0", at: 0))
            Issue.record("another image took payroll@1.0")
        } catch {
            #expect(error.kind == .conflict && error.rule == "dml.version_taken" && error.message.contains("payroll@1.0"))
        }
        do {
            _ = try DMLRules.placement(of: Self.digestA, at: Self.record(1, "1.0", at: 0, available: false))
            Issue.record("a retired entry came back")
        } catch {
            #expect(error.rule == "dml.version_retired")
        }
    }

    @Test("an entry someone holds cannot be deleted, and the refusal names the holders")
    func pinnedNotDeletable() throws {
        do {
            try DMLRules.checkDeletable(Self.record(1, "1.0", at: 0, holders: ["rollout:R-1", "rollout:R-2"]))
            Issue.record("a pinned entry was deletable")
        } catch {
            #expect(error.kind == .conflict && error.rule == "dml.in_use")
            #expect(error.message.contains("rollout:R-1, rollout:R-2"))
        }
        try DMLRules.checkDeletable(Self.record(1, "1.0", at: 0))
    }

    @Test("retention keeps the newest N by acceptance time and every pinned one; the rest are retired")
    func retention() {
        let entries = [
            Self.record(1, "1.0", at: 1), Self.record(2, "1.1", at: 2, holders: ["rollout:R-9"]), Self.record(3, "1.2", at: 3),
            Self.record(4, "1.3", at: 4), Self.record(5, "1.4", at: 5), Self.record(6, "0.9", at: 0, available: false),
        ]
        #expect(DMLRules.retentionVictims(entries, keep: 2).map(\.version) == ["1.2", "1.0"])
        #expect(DMLRules.retentionVictims(entries, keep: 5).isEmpty)
        // A tie on time: the later id is the newer.
        let tied = [Self.record(10, "2.0", at: 7), Self.record(11, "2.1", at: 7)]
        #expect(DMLRules.retentionVictims(tied, keep: 1).map(\.version) == ["2.0"])
        #expect(DMLRules.retentionReason(supersededBy: "payroll@1.4") == "retention: superseded by payroll@1.4")
    }

    @Test("a retired entry's file goes only when no available entry shares its bytes")
    func fileRemoval() {
        #expect(DMLRules.removesFile(availableSharingDigest: 0))
        #expect(!DMLRules.removesFile(availableSharingDigest: 1))
    }

    @Test("names, versions and holders: 300 characters, NUL or an empty string are refused naming the field")
    func hostileText() {
        for (name, version, field) in [(String(repeating: "n", count: 300), "1.0", "name"), ("payroll", "1.0\u{0}", "version"), ("", "1.0", "name")] {
            do {
                try DMLRules.checkNameVersion(name, version)
                Issue.record("\(field) accepted")
            } catch {
                #expect(error.kind == .validation && error.fields?[field] != nil)
            }
        }
        #expect(ShortText.problem("rollout:R-1", max: 200) == nil)
        #expect(ShortText.problem("a\u{85}b", max: 200) != nil, "C1 controls are control characters too")
    }
}
