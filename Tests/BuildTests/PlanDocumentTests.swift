import Images
import Testing

/// The communication and education plans' front matter (issue 12, item 1): what shipboard-notify
/// will schedule from is checked when the image is built, and each mistake is named.
@Suite("Plan documents: front matter of communication and education plans")
struct PlanDocumentTests {
    static let valid = """
        ---
        audiences: [stakeholders, site-contacts]
        schedule:
          - at: -24h
            subject: Payroll 4.2 is deployed tomorrow
          - at: +90m
            audiences: [site-contacts]
            subject: Check the payroll servers
          - on: backed_out
            subject: Payroll 4.2 was backed out
        ---
        # Payroll 4.2

        What changes for you.
        """

    @Test("a plan with audiences and a schedule of offsets and outcomes parses; the Markdown body is kept")
    func parsesAValidPlan() throws {
        let plan = try PlanDocument(parsing: Self.valid)
        #expect(plan.audiences == ["stakeholders", "site-contacts"])
        #expect(plan.schedule.map(\.moment) == [.offset(seconds: -86_400), .offset(seconds: 5_400), .outcome("backed_out")])
        #expect(plan.schedule[0].audiences == ["stakeholders", "site-contacts"], "an entry without audiences goes to all")
        #expect(plan.schedule[1].audiences == ["site-contacts"])
        #expect(plan.body.contains("What changes for you."))
        #expect(PlanDocument.kind(of: try ImagePath("communication-plan.md")) == .communication)
        #expect(PlanDocument.kind(of: try ImagePath("education-plan.md")) == .education)
        #expect(PlanDocument.kind(of: try ImagePath("docs/readme.md")) == nil)
    }

    @Test("each mistake is refused with words that say where it is", arguments: [
        ("no front matter", "# Just Markdown\n", "does not start with a front matter"),
        ("unclosed", "---\naudiences: [a]\n", "no closing '---'"),
        ("no audiences", "---\nschedule: []\n---\n", "names no audiences"),
        ("bad audience", "---\naudiences: [\"Ops Team\"]\n---\n", "'Ops Team' is not an audience name"),
        ("bad offset", "---\naudiences: [a]\nschedule:\n  - at: -24x\n    subject: s\n---\n", "schedule[0].at '-24x' is not an offset"),
        ("too far", "---\naudiences: [a]\nschedule:\n  - at: -100d\n    subject: s\n---\n", "at most 90 days"),
        ("both moments", "---\naudiences: [a]\nschedule:\n  - at: -1h\n    on: completed\n    subject: s\n---\n", "exactly one of"),
        ("bad outcome", "---\naudiences: [a]\nschedule:\n  - on: exploded\n    subject: s\n---\n", "'exploded' is not one of"),
        ("no subject", "---\naudiences: [a]\nschedule:\n  - on: completed\n---\n", "schedule[0].subject"),
        ("unknown audience", "---\naudiences: [a]\nschedule:\n  - on: completed\n    audiences: [b]\n    subject: s\n---\n",
         "'b', which is not among"),
        ("not YAML", "---\naudiences: [a\n---\n", "front matter is not valid"),
    ])
    func refusesMistakes(_ name: String, _ text: String, _ expected: String) {
        do {
            _ = try PlanDocument(parsing: text)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.description.contains(expected), "\(name): \(error.description)")
        }
    }

    @Test("a subject with a control character or 300 characters is refused")
    func refusesHostileSubjects() {
        for subject in ["a\u{0}b", String(repeating: "x", count: 300)] {
            let text = "---\naudiences: [a]\nschedule:\n  - on: completed\n    subject: \"\(subject.replacingOccurrences(of: "\u{0}", with: "\\0"))\"\n---\n"
            #expect(throws: PlanDocumentError.self) { try PlanDocument(parsing: text) }
        }
    }
}
