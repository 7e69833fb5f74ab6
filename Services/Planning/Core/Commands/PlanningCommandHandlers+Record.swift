import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    /// `planning.create_release`: validates, fills what the named template presets (or the
    /// template `default`, when defined and no name is given), and records the release in
    /// `initiate`/`draft` with the template's gates (or the service's built-in gates).
    func create(_ envelope: Envelope<CreateRelease>, _ context: HandlerContext) async throws -> ReleaseSummary {
        var command = envelope.payload
        let requester = command.requester ?? envelope.actor
        var rules = ReleaseFieldRules()
        rules.title(command.title)
        rules.text(command.description, field: "description")
        rules.text(command.businessJustification, field: "businessJustification")
        rules.person(requester, field: "requester")
        rules.person(command.coordinator, field: "coordinator")
        rules.known(command.type, field: "type")
        rules.known(command.impact, field: "impact")
        rules.known(command.urgency, field: "urgency")
        rules.known(command.risk, field: "risk")
        rules.name(command.templateName, field: "templateName")
        rules.name(command.jobPlanName, field: "jobPlanName")
        rules.schedule(start: command.scheduledStart, end: command.scheduledEnd)
        try rules.check("the release cannot be created as given")

        let transaction = context.transaction
        let (key, template) = try await ReleaseTemplates(schema: schema).newRelease(
            template: command.templateName, keySequence: ReleaseKeys.sequence(schema: schema), in: transaction)
        var releaseGates = gates
        if let template {
            command = template.apply(to: command)
            releaseGates = template.gates
        }
        let title = command.title.trimmingCharacters(in: .whitespacesAndNewlines)
        // Fields left out (not unknown ones: the rules refused those) get the service's defaults.
        let type = command.type ?? .minor
        let impact = command.impact ?? .medium
        let urgency = command.urgency ?? .medium
        let priority = try matrix.priority(impact: impact, urgency: urgency)
        // People are stored in their one normalised form (the actor already is: `onPlanningCommand`).
        let requesterID = PersonID.normalized(requester)
        let coordinator = PersonID.normalized(command.coordinator ?? requester)
        let state = ReleaseState(
            key: key, type: type, requester: requesterID, coordinator: coordinator,
            gates: policy.gates(for: type, adding: releaseGates), creator: envelope.actor)
        var record = ReleaseRecord(
            key: key, title: title, description: command.description ?? "", type: type.rawValue,
            impact: impact.rawValue, urgency: urgency.rawValue, priority: priority.rawValue,
            risk: (command.risk ?? .medium).rawValue, justification: command.businessJustification ?? "",
            requester: requesterID, coordinator: coordinator, scheduledStart: command.scheduledStart,
            scheduledEnd: command.scheduledEnd, targetDate: command.targetDate, template: command.templateName,
            jobPlanName: command.jobPlanName, state: try ContractCoding.encode(state))
        // The creation entry names who asked for the release and who coordinates it, so the
        // parties are on record from the start.
        var details = [
            "title": title, "type": type.rawValue, "impact": impact.rawValue, "urgency": urgency.rawValue,
            "priority": priority.rawValue, "risk": record.risk, "requester": requesterID, "coordinator": coordinator,
        ]
        details["template"] = command.templateName
        details["jobPlanName"] = command.jobPlanName
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(ReleaseCreated.messageType, details)], in: transaction)
        record = try await ReleaseRepository(schema: schema).create(record, in: transaction)
        try await context.publish(
            ReleaseCreated(
                releaseKey: key, actor: envelope.actor, title: title, type: type, priority: priority,
                requester: requesterID, coordinator: coordinator),
            correlationId: key, auditHead: heads.first)
        // A release born with a schedule is being scheduled: blackouts refuse it, collisions are reported.
        if record.scheduledStart != nil {
            try await guardSchedule(
                &record, overrideReason: command.freezeOverrideReason, asReleaseManager: command.asReleaseManager ?? false,
                actor: envelope.actor, context)
            try await ReleaseRepository(schema: schema).save(record, in: transaction)
        }
        return state.summary
    }

    /// `planning.update_release`: changes the descriptive fields of a release that is not
    /// finished. A new coordinator must not have decided at the current gate (segregation
    /// of duties). Names the changed fields (not their values) in the audit and the event.
    func update(_ envelope: Envelope<UpdateRelease>, _ context: HandlerContext) async throws -> ReleaseSummary {
        let command = envelope.payload
        var rules = ReleaseFieldRules()
        rules.title(command.title)
        rules.text(command.description, field: "description")
        rules.text(command.businessJustification, field: "businessJustification")
        rules.person(command.coordinator, field: "coordinator")
        rules.known(command.impact, field: "impact")
        rules.known(command.urgency, field: "urgency")
        rules.known(command.risk, field: "risk")
        rules.known(command.type, field: "type")
        rules.name(command.jobPlanName, field: "jobPlanName")
        rules.known(command.priority, field: "priority")
        rules.text(command.priorityReason, field: "priorityReason", limit: ReleaseLifecycle.maxReasonLength)
        if command.priority != nil, (command.priorityReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            rules.problem("a manual priority needs a reason", field: "priorityReason")
        }
        try rules.check("the release cannot be updated as given")

        let transaction = context.transaction
        let releases = ReleaseRepository(schema: schema)
        var (record, state) = try await releases.lockWithState(command.releaseKey, in: transaction)
        try StaleViewRule.require(command, phase: state.phase, status: state.status, version: record.version)
        try ReleaseLifecycle.requireNotTerminal(state)
        var raised: [String] = []
        if ApprovedScopeRule.raises(impact: record.impact, to: command.impact) { raised.append("impact") }
        if ApprovedScopeRule.raises(urgency: record.urgency, to: command.urgency) { raised.append("urgency") }
        if ApprovedScopeRule.raises(risk: record.risk, to: command.risk) { raised.append("risk") }
        if let start = command.scheduledStart, start != record.scheduledStart { raised.append("scheduledStart") }
        if let end = command.scheduledEnd, end != record.scheduledEnd { raised.append("scheduledEnd") }
        try ApprovedScopeRule.require(state, unchangedWhileApproved: raised)
        var changed: [String] = []
        // Old and new value of every changed field, for the audit entry (the event names fields only).
        var details: [String: String] = [:]
        func note(_ field: String, _ old: String?, _ new: String?) {
            details["\(field).old"] = old ?? ""
            details["\(field).new"] = new ?? ""
        }
        func set<Value: Equatable>(_ field: String, _ path: WritableKeyPath<ReleaseRecord, Value>, _ value: Value?) {
            guard let value, record[keyPath: path] != value else { return }
            note(field, Self.auditText(record[keyPath: path]), Self.auditText(value))
            record[keyPath: path] = value
            changed.append(field)
        }
        set("title", \.title, command.title?.trimmingCharacters(in: .whitespacesAndNewlines))
        set("description", \.description, command.description)
        set("impact", \.impact, command.impact?.rawValue)
        set("urgency", \.urgency, command.urgency?.rawValue)
        set("risk", \.risk, command.risk?.rawValue)
        set("businessJustification", \.justification, command.businessJustification)
        set("scheduledStart", \.scheduledStart, command.scheduledStart.map(Optional.some))
        set("scheduledEnd", \.scheduledEnd, command.scheduledEnd.map(Optional.some))
        set("targetDate", \.targetDate, command.targetDate.map(Optional.some))
        if let coordinator = command.coordinator.map(PersonID.normalized), coordinator != record.coordinator {
            if state.approvals.contains(where: { $0.actor == coordinator }) {
                throw CommandError(
                    .forbidden, "\(coordinator) has decided at the current gate of \(state.key) and cannot coordinate it",
                    rule: "approval.segregation_of_duties", fields: ["coordinator": "has decided at the current gate"])
            }
            note("coordinator", record.coordinator, coordinator)
            record.coordinator = coordinator
            state.coordinator = coordinator
            // The new coordinator becomes a party; the one handing the role on already is one,
            // so handing it on never clears the way to approve.
            state.addParty(coordinator)
            changed.append("coordinator")
        }
        if command.type != nil || command.jobPlanName != nil {
            guard state.phase == .initiate else {
                var fields: [String: String] = [:]
                if command.type != nil { fields["type"] = "changes only in initiate" }
                if command.jobPlanName != nil { fields["jobPlanName"] = "changes only in initiate" }
                throw CommandError(
                    .conflict, "\(state.key) is in \(state.phase.rawValue); type and job plan change only in initiate",
                    rule: "releases.frozen_field", fields: fields)
            }
            if let type = command.type, type.rawValue != record.type {
                note("type", record.type, type.rawValue)
                record.type = type.rawValue
                state.type = type
                // A type with more required gates gets them; gates are never taken away.
                state.gates = policy.gates(for: type, adding: state.gates)
                changed.append("type")
            }
            set("jobPlanName", \.jobPlanName, command.jobPlanName.map(Optional.some))
        }
        if let start = record.scheduledStart, let end = record.scheduledEnd, end < start {
            throw CommandError(
                .validation, "the scheduled end would be before the start", rule: "releases.well_formed",
                fields: ["scheduledEnd": "must not be before scheduledStart"])
        }
        // The priority follows impact × urgency when either changes; a manual one (with its
        // reason, audited) replaces it; any other edit leaves it as it is.
        if let manual = command.priority, manual.rawValue != record.priority {
            note("priority", record.priority, manual.rawValue)
            record.priority = manual.rawValue
            changed.append("priority")
            details["priorityReason"] = command.priorityReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if command.priority == nil, changed.contains("impact") || changed.contains("urgency") {
            let computed = try matrix.priority(impact: Impact(rawValue: record.impact), urgency: Urgency(rawValue: record.urgency)).rawValue
            if computed != record.priority {
                note("priority", record.priority, computed)
                record.priority = computed
                changed.append("priority")
            }
        }
        guard !changed.isEmpty else { return state.summary }
        record.state = try ContractCoding.encode(state)
        details["fields"] = changed.joined(separator: ",")
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(ReleaseUpdated.messageType, details)], in: transaction)
        if changed.contains("scheduledStart") || changed.contains("scheduledEnd") {
            try await guardSchedule(
                &record, overrideReason: command.freezeOverrideReason, asReleaseManager: command.asReleaseManager ?? false,
                actor: envelope.actor, context)
        }
        try await releases.save(record, in: transaction)
        try await context.publish(
            ReleaseUpdated(releaseKey: record.key, actor: envelope.actor, fields: changed), correlationId: record.key,
            auditHead: heads.first)
        return state.summary
    }

    /// A field's value as the audit entry shows it: dates in ISO 8601 (UTC), absent as "".
    static func auditText<Value>(_ value: Value) -> String {
        switch value {
        case let date as Date: date.formatted(.iso8601)
        case let optional as Date?: optional.map { $0.formatted(.iso8601) } ?? ""
        case let optional as String?: optional ?? ""
        default: "\(value)"
        }
    }
}
