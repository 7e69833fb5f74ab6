import Contracts

/// What each stakeholder role is told without subscribing (ARCHITECTURE.md, issue 14): rules in
/// code, not rows. Pure: the caller reads the release and the directory and passes them in.
///
/// - requester: every phase and status change of their release;
/// - coordinator: phase and status changes, and rollout halts and backouts;
/// - approver (a member of the group the open gate waits for): the approval request — the
///   release submitted to a gate, or moved into a phase whose gate now waits;
/// - assignee: the task they are given, when it becomes ready;
/// - site contact: rollout start, completion, halt and backout of releases that touch one of
///   their sites.
///
/// Nobody is told by these defaults about their own action (explicit subscriptions still
/// apply). `release.status_changed` to `pending_approval` is not an approval request on its
/// own: planning publishes it with `release.submitted` in the same transaction, and one gate
/// opening is one request.
public enum DefaultSubscriptions {
    /// Rollout events a site contact hears about.
    public static let siteContactEvents: Set<String> = ["rollout.started", "rollout.completed", "rollout.halted", "rollout.backed_out"]
    /// Release changes the requester and the coordinator hear about.
    public static let releaseChangeEvents: Set<String> = ["release.phase_changed", "release.status_changed"]
    /// Rollout troubles the coordinator hears about besides the release changes.
    public static let coordinatorRolloutEvents: Set<String> = ["rollout.halted", "rollout.backed_out"]

    /// Why `stakeholder` is told about `event` by their roles' defaults (`requester`,
    /// `approver of cab`, …), empty when no default applies.
    public static func reasons(for stakeholder: Stakeholder, event: EventFacts, release: ReleaseFacts?) -> [String] {
        guard !isOwnAction(of: stakeholder.person, event) else { return [] }
        return stakeholder.roles.sorted().compactMap { role in
            reason(role, stakeholder: stakeholder, event: event, release: release)
        }
    }

    /// The channels a role default uses for `person`: in-app always, email when they have an address.
    public static func channels(for person: Person) -> [NotificationChannel] {
        let email = person.contacts[.email].map { !$0.isEmpty } ?? false
        return email ? [.email, .inApp] : [.inApp]
    }

    /// The group whose members are asked to approve because of `event`, or nil when the event
    /// opens no gate. The caller expands it into stakeholders with the `approver` role.
    public static func approvalGroup(of event: EventFacts, release: ReleaseFacts?) -> String? {
        switch event.type {
        case "release.submitted":
            return event.payload["approverGroup"]?.string
        case "release.phase_changed":
            // The release's facts are read after the event: ask only while it still waits in
            // the phase this event moved it into.
            guard let release, release.phase == event.payload["to"]?.string else { return nil }
            return release.pendingApproverGroup
        default:
            return nil
        }
    }

    /// The tasks `event` made ready (a `release.task_changed` lists them in `nowReady`, and
    /// its own task when it moved to `ready`). The caller resolves their assignees.
    public static func readyTasks(in event: EventFacts) -> [String] {
        guard event.type == "release.task_changed" else { return [] }
        var tasks = strings(event.payload["nowReady"])
        if event.payload["to"]?.string == "ready", let task = event.payload["taskKey"]?.string { tasks.append(task) }
        return Array(Set(tasks)).sorted()
    }

    /// Assignees the event names itself: a group's policy gave a ready task to a member
    /// (`assigned`: task → member).
    public static func namedAssignees(in event: EventFacts) -> [String: String] {
        guard event.type == "release.task_changed", case .object(let members)? = event.payload["assigned"] else { return [:] }
        return members.compactMapValues(\.string)
    }

    /// Whether `person` did what the event records (names compared as the gateway normalises them).
    public static func isOwnAction(of person: String, _ event: EventFacts) -> Bool {
        PersonName.normalized(person) == PersonName.normalized(event.actor)
    }

    private static func reason(_ role: StakeholderRole, stakeholder: Stakeholder, event: EventFacts, release: ReleaseFacts?) -> String? {
        switch role {
        case .requester:
            return releaseChangeEvents.contains(event.type) ? "requester" : nil
        case .coordinator:
            let told = releaseChangeEvents.contains(event.type) || coordinatorRolloutEvents.contains(event.type)
            return told ? "coordinator" : nil
        case .approver:
            return approvalGroup(of: event, release: release).map { "approver of \($0)" }
        case .assignee:
            return readyTasks(in: event).isEmpty ? nil : "assignee"
        case .siteContact:
            guard siteContactEvents.contains(event.type), let release else { return nil }
            let shared = stakeholder.sites.intersection(release.sites).sorted()
            return shared.isEmpty ? nil : "site contact of \(shared.joined(separator: ", "))"
        case .subscriber:
            // Hand-added subscribers are told through their subscriptions, not by a default.
            return nil
        }
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.string)
    }
}
