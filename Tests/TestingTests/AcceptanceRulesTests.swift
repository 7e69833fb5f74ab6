import Contracts
import Testing
import TestingCore

/// Who may accept or reject a tested image, without a database.
@Suite("Acceptance rules")
struct AcceptanceRulesTests {
    static func candidate(failed: Int = 0, decision: String? = nil, makers: [String] = ["bea", "shipboard-planning"]) -> AcceptanceCandidate {
        AcceptanceCandidate(runId: 7, releaseKey: "REL-1", buildId: 3, imageSha256: String(repeating: "a", count: 64), size: 10,
                            name: "payroll", version: "1.0.0", failed: failed, decision: decision, makers: makers)
    }

    func refusal(_ body: () throws -> Void) -> CommandError? {
        do {
            try body()
            return nil
        } catch {
            return error as? CommandError
        }
    }

    @Test("a passing run is accepted by someone who did not make the image; no override is recorded")
    func passingRun() throws {
        #expect(try AcceptanceRules.checkAccept(Self.candidate(), by: "tess", overrideReason: nil) == nil)
    }

    @Test("a run with failures needs an override reason, which is then recorded")
    func failuresNeedOverride() throws {
        let refused = refusal { _ = try AcceptanceRules.checkAccept(Self.candidate(failed: 3), by: "tess", overrideReason: nil) }
        #expect(refused?.kind == .conflict && refused?.rule == "acceptance.override_required")
        #expect(refused?.message.contains("3 failed") == true, "\(String(describing: refused))")
        #expect(try AcceptanceRules.checkAccept(Self.candidate(failed: 3), by: "tess", overrideReason: "known flaky test") == "known flaky test")
    }

    @Test("the spec's author or the build's requester may not accept, in any spelling; a service actor does not count")
    func makersRefused() throws {
        for actor in ["bea", " BEA "] {
            let refused = refusal { _ = try AcceptanceRules.checkAccept(Self.candidate(), by: actor, overrideReason: nil) }
            #expect(refused?.kind == .forbidden && refused?.rule == "acceptance.own_build")
        }
        let byService = Self.candidate(makers: ["shipboard-planning", "shipboard-build"])
        #expect(try AcceptanceRules.checkAccept(byService, by: "tess", overrideReason: nil) == nil)
    }

    @Test("a decided run is refused naming the decision, for accept and reject")
    func decidedOnce() {
        let accepted = refusal { _ = try AcceptanceRules.checkAccept(Self.candidate(decision: "rejected"), by: "tess", overrideReason: nil) }
        #expect(accepted?.rule == "acceptance.decided" && accepted?.message.contains("rejected") == true)
        let rejected = refusal { try AcceptanceRules.checkReject(Self.candidate(decision: "accepted"), reason: "no") }
        #expect(rejected?.rule == "acceptance.decided" && rejected?.fields?["decision"] == "accepted")
    }

    @Test("reasons: blank, 1001 characters, NUL or a newline are refused naming the field; 1000 characters pass")
    func reasons() throws {
        for bad in ["", "   ", String(repeating: "r", count: 1001), "ok\u{0}", "two\nlines"] {
            let refused = refusal { try AcceptanceRules.checkReject(Self.candidate(), reason: bad) }
            #expect(refused?.kind == .validation && refused?.fields?["reason"] != nil, "\(bad.prefix(10))")
            let override = refusal { _ = try AcceptanceRules.checkAccept(Self.candidate(failed: 1), by: "tess", overrideReason: bad) }
            #expect(override?.kind == .validation && override?.fields?["overrideReason"] != nil)
        }
        try AcceptanceRules.checkReject(Self.candidate(), reason: String(repeating: "r", count: 1000))
    }
}
