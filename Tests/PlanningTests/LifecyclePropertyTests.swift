import Contracts
import Foundation
import PlanningCore
import PropertyBased
import Testing

/// Random command sequences by random actors (the requester and the coordinator included,
/// also in other cases and spacing) from a fresh release, with the coordinator handed on now
/// and then: whatever happens, the lifecycle's invariants hold after every step. Segregation
/// of duties is checked against the test's own record of the parties (who requested,
/// coordinated or submitted), not against the state's.
@Suite("Release lifecycle properties")
struct LifecyclePropertyTests {
    typealias F = LifecycleFixtures

    static let actors = [F.requester, F.coordinator, "bob", "dave", "eve", "frank", "Bob", " ALICE ", "Carol"]

    /// The one form of a person the oracle compares (what any reader of the rules would expect).
    static func person(_ name: String) -> String { name.trimmingCharacters(in: .whitespaces).lowercased() }

    /// Weighted so that sequences get far: approvals and advances are common, terminal commands rare.
    static let commands: [LifecycleCommand] = [
        .submit, .submit,
        .approve(comment: nil), .approve(comment: nil), .approve(comment: "ok"), .approve(comment: nil),
        .approve(comment: nil, approverGroups: ["cab", "qa", "release-managers"]), .approve(comment: nil, approverGroups: ["other"]),
        .reject(reason: "no", approverGroups: ["other"]),
        .advance(exitCriteria: []), .advance(exitCriteria: []), .advance(exitCriteria: []),
        .advance(exitCriteria: [ExitCriterionResult(name: "docs", severity: .warning, passed: false)]),
        .advance(exitCriteria: [ExitCriterionResult(name: "tasks_done", severity: .error, passed: false)]),
        .hold(reason: nil), .resume, .resume,
        .close(exitCriteria: []), .close(exitCriteria: []),
        .reject(reason: ""), .reject(reason: "not ready"),
        .cancel(reason: nil),
        .backOut(reason: "wave failed"),
    ]

    /// One step: a command by an actor, decoded from a generated integer (so shrinking works on plain ints).
    static func step(_ code: Int) -> (LifecycleCommand, String) {
        (commands[(code / actors.count) % commands.count], actors[code % actors.count])
    }

    static let sequences = Gen.int(in: 0...10_000).array(of: 0...120)

    @Test func invariantsHoldForRandomCommandSequences() async {
        await propertyCheck(count: 400, input: Self.sequences) { codes in
            var state = F.draft()
            var parties: Set<String> = [Self.person(F.requester), Self.person(F.coordinator)]
            for (offset, code) in codes.enumerated() {
                let (command, actor) = Self.step(code)
                if code % 23 == 0, !state.approvals.contains(where: { Self.person($0.actor) == Self.person(actor) }) {
                    // The coordinator hands the role on, as update_release does (never to someone
                    // who decided at the current gate).
                    state.coordinator = actor
                    state.addParty(actor)
                    parties.insert(Self.person(actor))
                    continue
                }
                let time = F.now.addingTimeInterval(Double(offset))
                do throws(CommandError) {
                    let outcome = try ReleaseLifecycle.apply(command, to: state, by: actor, at: time)
                    Self.checkAccepted(command, by: actor, from: state, to: outcome, parties: parties)
                    if case .submit = command { parties.insert(Self.person(actor)) }
                    state = outcome.state
                } catch {
                    #expect([CommandError.Kind.conflict, .forbidden, .validation].contains(error.kind))
                    #expect(error.rule?.isEmpty == false)
                }
            }
            Self.checkHistory(state)
        }
    }

    /// The rules every accepted command obeys.
    static func checkAccepted(
        _ command: LifecycleCommand, by actor: String, from old: ReleaseState, to outcome: LifecycleOutcome, parties: Set<String>
    ) {
        let new = outcome.state
        // Terminal statuses stay terminal: nothing is accepted once there.
        #expect(!old.status.isTerminal, "accepted \(command) on a \(old.status) release")
        // Phases never skip: at most one step forward, never back, and only by advance.
        // Both phases are known (the rules refuse to act on an unknown one), so both have an index.
        let step = new.phase.index.flatMap { to in old.phase.index.map { to - $0 } }
        if case .advance = command {
            #expect(step == 1)
            #expect(outcome.events.contains { $0.messageType == ReleasePhaseChanged.messageType })
        } else {
            #expect(step == 0, "\(command) changed the phase from \(old.phase) to \(new.phase)")
        }
        // Segregation of duties, and one decision per person per phase.
        switch command {
        case .approve(_, let groups), .reject(_, let groups):
            #expect(!parties.contains(person(actor)), "\(actor) decided on a release they took part in")
            if let groups, let gate = old.currentGate {
                #expect(groups.contains(gate.approverGroup), "\(actor) decided outside \(gate.approverGroup)")
            }
            let decidedBefore = old.history.contains {
                person($0.actor) == person(actor) && $0.phase == old.phase && ($0.action == .approved || $0.action == .rejected)
            }
            #expect(!decidedBefore, "\(actor) decided twice on \(old.phase)")
        default:
            break
        }
        // A status change is announced exactly once, with the right from and to.
        let statusEvents = outcome.events.compactMap { event -> ReleaseStatusChanged? in
            if case .statusChanged(let changed) = event { return changed }
            return nil
        }
        if new.status != old.status {
            #expect(statusEvents.map { [$0.from, $0.to] } == [[old.status, new.status]])
        } else {
            #expect(statusEvents.isEmpty)
        }
        // History only grows, by exactly one record, and never rewrites the past.
        #expect(new.history.count == old.history.count + 1)
        #expect(Array(new.history.prefix(old.history.count)) == old.history)
    }

    /// Over the whole run: phases in the history never decrease, and no one approves a phase twice.
    /// (Who decided is checked at each step, against the parties of that moment.)
    static func checkHistory(_ state: ReleaseState) {
        let phases = state.history.map(\.phase)
        #expect(phases == phases.sorted())
        let decisions = state.history.filter { $0.action == .approved || $0.action == .rejected }
        let pairs = decisions.map { "\($0.phase.rawValue)/\(person($0.actor))" }
        #expect(Set(pairs).count == pairs.count)
    }

    /// The generator reaches the late phases, so the properties above are not vacuous.
    @Test func randomSequencesReachLatePhases() {
        var generator = SystemRandomNumberGenerator()
        var furthest = ReleasePhase.initiate
        for _ in 0..<300 {
            var state = F.draft()
            for _ in 0..<120 {
                let (command, actor) = Self.step(Int.random(in: 0...10_000, using: &generator))
                if let outcome = try? ReleaseLifecycle.apply(command, to: state, by: actor, at: F.now) {
                    state = outcome.state
                }
            }
            furthest = max(furthest, state.phase)
        }
        #expect(furthest >= .deploy)
    }
}
