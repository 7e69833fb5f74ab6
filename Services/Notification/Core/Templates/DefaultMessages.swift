/// The words of the built-in messages, by event type (payload fields as each service's
/// contract publishes them: Shared/Contracts). See ``TemplateContext`` for the names.
enum DefaultMessages {
    typealias Line = DefaultMessage.Line

    static let releaseLink = Line.link("Open the release", to: "links.release", when: "release.key")
    static let approvalLink = Line.link("Open the approval page", to: "approval.link", when: "approval")
    static let byActor = Line.text("By {{event.actor}} at {{event.time}}.")
    static let reason = Line.text("Reason: {{payload.reason}}", when: "payload.reason")
    static let releaseName = "{{release.key}}{{#release.title}} ({{.}}){{/release.title}}"

    static let byType: [String: DefaultMessage] = [
        "release.submitted": DefaultMessage(
            subject: "{{#approval}}Approval requested: {{/approval}}{{release.key}} submitted {{release.title}}",
            summary: [
                .text("{{event.actor}} submitted release \(releaseName) for authorization."),
                .text("Your approval is requested as a member of {{approval.group}}.", when: "approval"),
                approvalLink, releaseLink,
            ],
            details: [byActor]),
        "release.phase_changed": DefaultMessage(
            subject: "{{#approval}}Approval requested: {{/approval}}{{release.key}} moved to {{payload.to}}",
            summary: [
                .text("Release \(releaseName) moved from phase {{payload.from}} to {{payload.to}}."),
                .text("The {{payload.to}} phase waits for approval by {{approval.group}}.", when: "approval"),
                .text("Exit criteria that failed as warnings: {{joined.warnings}}", when: "joined.warnings"),
                approvalLink, releaseLink,
            ],
            details: [byActor]),
        "release.status_changed": DefaultMessage(
            subject: "{{release.key}} is now {{payload.to}}",
            summary: [
                .text("Release \(releaseName) changed status from {{payload.from}} to {{payload.to}} in phase {{payload.phase}}."),
                reason, releaseLink,
            ],
            details: [byActor]),
        "release.task_changed": DefaultMessage(
            subject: "{{release.key}}: task {{payload.taskKey}} is {{payload.to}}",
            summary: [
                .text("Task {{payload.taskKey}} of release \(releaseName) moved from {{payload.from}} to {{payload.to}}."),
                .list("tasks", heading: "Ready to work on now:", item: "{{key}}{{#assignee}} (assigned to {{.}}){{/assignee}}", url: "link"),
                reason, releaseLink,
            ],
            details: [byActor]),
        "release.approved": DefaultMessage(
            subject: "{{release.key}} approved by {{event.actor}} ({{payload.approvals}} of {{payload.requiredApprovals}})",
            summary: [
                .text("{{event.actor}} approved release \(releaseName) in phase {{payload.phase}}."),
                .text("The gate is open: the release may move on.", when: "payload.gateOpen"),
                .text("Comment: {{payload.comment}}", when: "payload.comment"),
                releaseLink,
            ]),
        "release.rejected": DefaultMessage(
            subject: "{{release.key}} rejected in {{payload.phase}}",
            summary: [.text("{{event.actor}} rejected release \(releaseName) in phase {{payload.phase}}."), reason, releaseLink]),
        "rollout.started": rollout(
            "started", "The rollout of release \(releaseName) started{{#release.sitesText}} (sites: {{.}}){{/release.sitesText}}."),
        "rollout.completed": rollout("completed", "The rollout of release \(releaseName) completed."),
        "rollout.halted": rollout(
            "halted", "The rollout of release \(releaseName) halted; the targets it changed are being backed out."),
        "rollout.backed_out": rollout("backed out", "The rollout of release \(releaseName) is backed out."),
        "test.completed": DefaultMessage(
            subject: "{{release.key}}: tests {{payload.outcome}} ({{payload.passed}} passed, {{payload.failed}} failed)",
            summary: [
                .text("The test run {{payload.runId}} of release \(releaseName) {{payload.outcome}}: {{payload.passed}} passed, {{payload.failed}} failed."),
                .text("Failed tests: {{joined.failedTests}}", when: "joined.failedTests"),
                releaseLink,
            ],
            details: [.text("Image SHA-256: {{payload.imageSha256}}", when: "payload.imageSha256")]),
        "dml.entry_added": DefaultMessage(
            subject: "{{release.key}}: {{payload.entry.name}} {{payload.entry.version}} accepted into the DML",
            summary: [
                .text("{{payload.entry.name}} {{payload.entry.version}} of release \(releaseName) is in the Definitive Media Library."),
                .text("Accepted by {{payload.acceptedBy}}.", when: "payload.acceptedBy"),
                releaseLink,
            ],
            details: [.text("SHA-256: {{payload.entry.sha256}}", when: "payload.entry.sha256")]),
        "image.rejected": DefaultMessage(
            subject: "{{release.key}}: image rejected by {{payload.rejectedBy}}",
            summary: [.text("{{payload.rejectedBy}} rejected the tested image of release \(releaseName)."), reason, releaseLink]),
        "image.built": DefaultMessage(
            subject: "{{release.key}}: image built",
            summary: [.text("The software image of release \(releaseName) is built: {{payload.fileCount}} files, {{payload.size}} bytes."), releaseLink],
            details: [.text("SHA-256: {{payload.sha256}}", when: "payload.sha256")]),
        "image.build_failed": DefaultMessage(
            subject: "{{release.key}}: image build failed",
            summary: [.text("The software image of release \(releaseName) could not be built."), reason, releaseLink]),
        "briefing": DefaultMessage(
            subject: "{{briefing.subject}}",
            summary: [.block("{{briefing.body}}"), releaseLink]),
        "digest": DefaultMessage(
            subject: "Shipboard digest: {{digest.count}} notifications",
            summary: [
                .list("digest.items", heading: "Since the last digest:", item: "{{time}} {{#release}}{{.}}: {{/release}}{{subject}}"),
                .link("All your notifications", to: "links.feed"),
            ]),
    ]

    /// Any other event: what happened, to which release, by whom.
    static let generic = DefaultMessage(
        subject: "{{#release.key}}{{.}}: {{/release.key}}{{event.type}}",
        summary: [.text("{{event.type}}{{#release.key}} for release \(releaseName){{/release.key}}, by {{event.actor}} at {{event.time}}."), releaseLink])

    private static func rollout(_ what: String, _ sentence: String) -> DefaultMessage {
        DefaultMessage(
            subject: "{{release.key}}: rollout \(what)",
            summary: [sentence, "Targets: {{joined.counts}}"].enumerated().map { index, text in
                index == 0 ? .text(text) : .text(text, when: "joined.counts")
            } + [reason, releaseLink],
            details: [byActor])
    }
}
