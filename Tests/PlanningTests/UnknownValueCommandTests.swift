import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Commands carrying enum values a newer sender added (they decode to `.unknown`): planning
/// refuses them with a validation error naming the field, stores nothing, and never
/// substitutes a default. Against the real servers, through request/reply.
@Suite("Planning refuses values it does not know", .serialized)
struct UnknownValueCommandTests {
    /// Expects a validation refusal by `rule` naming exactly `fields`, none of which repeats a value.
    static func expectRefused(
        _ refusal: CommandError?, rule: String, fields: Set<String>, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(refusal?.kind == .validation, "\(String(describing: refusal))", sourceLocation: sourceLocation)
        #expect(refusal?.rule == rule, sourceLocation: sourceLocation)
        #expect(Set(refusal?.fields?.keys.map { $0 } ?? []) == fields, sourceLocation: sourceLocation)
        let text = "\(refusal?.message ?? "") \(refusal?.fields?.values.joined(separator: " ") ?? "")"
        #expect(!text.contains("NEWER"), "the unknown value is not echoed", sourceLocation: sourceLocation)
    }

    @Test("release, template and exit-criterion commands: unknown type, impact, urgency, risk and phase are refused by field")
    func releaseCommands() async throws {
        try await PlanningHarness.run { harness in
            Self.expectRefused(
                await harness.refusal(CreateRelease(
                    title: "Newer", type: .unknown("NEWER_hotfix"), impact: .unknown("NEWER_galactic"),
                    urgency: .unknown("NEWER_now"), risk: .unknown("NEWER_extreme")), as: "alice"),
                rule: "releases.well_formed", fields: ["type", "impact", "urgency", "risk"])
            let count = try await harness.pool.query("SELECT count(*) FROM \(identifier: harness.schema).releases")
                .single().decode(at: 0, as: Int.self)
            #expect(count == 0)

            let key = try await harness.send(CreateRelease(title: "Known", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
            Self.expectRefused(
                await harness.refusal(UpdateRelease(releaseKey: key, impact: .unknown("NEWER_galactic"), risk: .unknown("NEWER_x"), expectedPhase: .initiate), as: "carol"),
                rule: "releases.well_formed", fields: ["impact", "risk"])
            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            #expect(record.impact == "medium" && record.risk == "medium" && record.version == 1)

            Self.expectRefused(
                await harness.refusal(DefineReleaseTemplate(
                    name: "newer", type: .unknown("NEWER_hotfix"), impact: .high, urgency: .unknown("NEWER_now"),
                    gates: [.unknown("NEWER_audit"): ApprovalGateSpec(approverGroup: "cab")]), as: "admin"),
                rule: "templates.well_formed", fields: ["type", "urgency", "gates"])
            #expect(await harness.refusal(CreateRelease(title: "X", templateName: "newer"), as: "alice")?.kind == .notFound)
            // Found by the API fuzz run: a NUL in the description once reached PostgreSQL and
            // failed the handler again and again instead of being refused.
            Self.expectRefused(
                await harness.refusal(DefineReleaseTemplate(name: "nul", description: "a\u{0}b", type: .minor), as: "admin"),
                rule: "templates.well_formed", fields: ["description"])

            Self.expectRefused(
                await harness.refusal(ConfigureExitCriterion(phase: .unknown("NEWER_audit"), criterion: "changes_added", severity: "error"), as: "admin"),
                rule: "exit_criteria.known", fields: ["phase"])
            #expect(try await harness.outboxTypes().filter { $0 != "release.created" }.isEmpty, "nothing else was announced")
        }
    }

    @Test("CI commands: unknown class, relationship kind and import format are refused by field")
    func configurationItemCommands() async throws {
        try await PlanningHarness.run { harness in
            Self.expectRefused(
                await harness.refusal(UpsertConfigurationItem(key: "CI-APP-0001", name: "App", ciClass: .unknown("NEWER_toaster"))),
                rule: "cis.well_formed", fields: ["class"])
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0001", name: "App", ciClass: .application))
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-DB-0001", name: "DB", ciClass: .database))
            Self.expectRefused(
                await harness.refusal(RelateConfigurationItems(source: "CI-APP-0001", kind: .unknown("NEWER_feeds"), target: "CI-DB-0001")),
                rule: "cis.relationship_well_formed", fields: ["kind"])
            Self.expectRefused(
                await harness.refusal(UnrelateConfigurationItems(source: "CI-APP-0001", kind: .unknown("NEWER_feeds"), target: "CI-DB-0001")),
                rule: "cis.relationship_well_formed", fields: ["kind"])
            Self.expectRefused(
                await harness.refusal(ImportConfigurationItems(format: .unknown("NEWER_yaml"), content: "key: CI-APP-0002")),
                rule: "cis.import_format", fields: ["format"])
            let repository = CIRepository(schema: harness.schema, pool: harness.pool)
            #expect(try await repository.relationships(of: "CI-APP-0001").isEmpty)
            #expect(try await repository.item(key: "CI-APP-0002") == nil)
        }
    }
}
