import Contracts
import Foundation
import Postgres

/// The stakeholders of one event by role: the release's requester and coordinator, the
/// approvers of the gate it waits at, the assignees the event names, and the contacts of the
/// release's sites. (Subscribers added by hand come through their subscriptions.)
struct StakeholderResolver: Sendable {
    let directory: DirectoryReader

    func stakeholders(of event: EventFacts, release: ReleaseFacts?, in transaction: PostgresTransaction) async throws -> [Stakeholder] {
        guard let release else { return [] }
        var roles: [String: Set<StakeholderRole>] = [:]
        var sites: [String: Set<String>] = [:]
        roles[release.requester, default: []].insert(.requester)
        if let coordinator = release.coordinator { roles[coordinator, default: []].insert(.coordinator) }
        let approverGroups = Set([release.pendingApproverGroup, event.payload["approverGroup"]?.string].compactMap { $0 })
        for (_, members) in try await directory.members(of: approverGroups.sorted(), in: transaction) {
            for member in members { roles[member, default: []].insert(.approver) }
        }
        for assignee in Self.assignees(in: event) { roles[assignee, default: []].insert(.assignee) }
        for assignee in try await directory.assignees(of: DefaultSubscriptions.readyTasks(in: event), release: release.key, in: transaction) {
            roles[assignee, default: []].insert(.assignee)
        }
        for (person, personSites) in try await directory.siteContacts(of: release.sites, in: transaction) {
            roles[person, default: []].insert(.siteContact)
            sites[person] = personSites
        }
        return roles.keys.sorted().map { Stakeholder(person: $0, roles: roles[$0]!, sites: sites[$0] ?? []) }
    }

    /// People a task event assigns work to (`release.task_changed`'s `assigned`: task → person).
    static func assignees(in event: EventFacts) -> [String] {
        guard case .object(let assigned)? = event.payload["assigned"] else { return [] }
        return Set(assigned.values.compactMap(\.string)).sorted()
    }
}
