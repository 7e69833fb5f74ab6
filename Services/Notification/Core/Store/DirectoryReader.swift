import Contracts
import Foundation
import Postgres

/// Reads who is who from where it lives: people and contact points from the gateway's
/// identity tables, groups from planning's, site contacts from notify's own table, and the
/// release's facts from planning (and its rollout's sites). Nothing here is copied.
public struct DirectoryReader: Sendable {
    public let schemas: NotifySchemas

    public init(schemas: NotifySchemas) {
        self.schemas = schemas
    }

    /// The release, its CIs' and rollout waves' sites, and the group its open gate waits for.
    public func release(_ key: String, in transaction: PostgresTransaction) async throws -> ReleaseFacts? {
        let rows = try await transaction.query(
            """
            SELECT r.key, r.title, r.type, r.priority, r.phase, r.status, r.requester, r.coordinator, r.scheduled_start,
                   CASE WHEN jsonb_array_length(coalesce(r.state->'approvals', '[]'::jsonb))
                             < coalesce((r.state->'gates'->r.phase->>'requiredApprovals')::int, 0)
                        THEN r.state->'gates'->r.phase->>'approverGroup' END
            FROM \(identifier: schemas.planning).releases r WHERE r.key = \(key)
            """, label: "read release facts")
        guard let row = rows.first else { return nil }
        let (releaseKey, title, type, priority, phase, status, requester, coordinator, start, group) = try row.decode(
            (String, String, String, String?, String, String, String, String?, Date?, String?).self)
        return ReleaseFacts(
            key: releaseKey, title: title, type: type, priority: priority, phase: phase, status: status, requester: requester,
            coordinator: coordinator, scheduledStart: start, sites: try await sites(of: key, in: transaction),
            pendingApproverGroup: group)
    }

    /// The sites of the CIs the release's changes touch, and of its rollouts' waves.
    func sites(of releaseKey: String, in transaction: PostgresTransaction) async throws -> [String] {
        try await transaction.query(
            """
            SELECT ci.site FROM \(identifier: schemas.planning).release_changes rc
              CROSS JOIN LATERAL unnest(rc.affected_cis) AS affected(ci_key)
              JOIN \(identifier: schemas.planning).configuration_items ci ON ci.key = affected.ci_key
            WHERE rc.release_key = \(releaseKey) AND ci.site IS NOT NULL
            UNION
            SELECT site FROM \(identifier: schemas.rollout).waves w
              JOIN \(identifier: schemas.rollout).rollouts ro ON ro.id = w.rollout_id
              CROSS JOIN LATERAL unnest(w.sites) AS site
            WHERE ro.release_key = \(releaseKey)
            ORDER BY 1
            """, label: "read release sites"
        ).map { try $0.decode(String.self) }
    }

    /// Enabled users among `names`, with their contact points.
    public func people(_ names: [String], in transaction: PostgresTransaction) async throws -> [String: Person] {
        guard !names.isEmpty else { return [:] }
        var people: [String: Person] = [:]
        for row in try await transaction.query(
            """
            SELECT u.name, u.display_name, cp.channel, cp.address
            FROM \(identifier: schemas.gateway).users u
              LEFT JOIN \(identifier: schemas.gateway).contact_points cp ON cp.user_id = u.id
            WHERE u.name = ANY(\(bind: PostgresArrayBind.texts(names))) AND NOT u.disabled
            """, label: "read people")
        {
            let (name, display, channel, address) = try row.decode((String, String, String?, String?).self)
            var person = people[name] ?? Person(name: name, displayName: display, contacts: [:])
            if let channel, let address, let known = NotificationChannel(knownRawValue: channel) {
                person.contacts[known] = address
            }
            people[name] = person
        }
        return people
    }

    /// Members of each group in `groups` (planning's groups: the approver groups and the
    /// groups that own tasks).
    public func members(of groups: [String], in transaction: PostgresTransaction) async throws -> [String: [String]] {
        guard !groups.isEmpty else { return [:] }
        var members: [String: [String]] = [:]
        for row in try await transaction.query(
            """
            SELECT group_name, member FROM \(identifier: schemas.planning).approver_group_members
            WHERE group_name = ANY(\(bind: PostgresArrayBind.texts(groups))) ORDER BY group_name, member
            """, label: "read group members")
        {
            let (group, member) = try row.decode((String, String).self)
            members[group, default: []].append(member)
        }
        return members
    }

    /// The contacts of each of `sites`, groups expanded: person → their sites.
    public func siteContacts(of sites: [String], in transaction: PostgresTransaction) async throws -> [String: Set<String>] {
        guard !sites.isEmpty else { return [:] }
        let rows = try await transaction.query(
            """
            SELECT site, member FROM \(identifier: schemas.notify).site_contacts
            WHERE site = ANY(\(bind: PostgresArrayBind.texts(sites)))
            """, label: "read site contacts"
        ).map { try $0.decode((String, String).self) }
        let groups = rows.compactMap { Self.groupName($0.1) }
        let groupMembers = try await members(of: Array(Set(groups)), in: transaction)
        var contacts: [String: Set<String>] = [:]
        for (site, member) in rows {
            let people = Self.groupName(member).map { groupMembers[$0] ?? [] } ?? [member]
            for person in people { contacts[person, default: []].insert(site) }
        }
        return contacts
    }

    /// `group:<name>` names a group; anything else is a person.
    public static func groupName(_ member: String) -> String? {
        member.hasPrefix("group:") ? String(member.dropFirst("group:".count)) : nil
    }

    /// Subscriptions that may match `eventType` (the pattern is checked again in Swift), each
    /// with the people it reaches.
    public func subscriptions(
        for eventType: String, in transaction: PostgresTransaction
    ) async throws -> [(rule: SubscriptionRule, people: [String])] {
        let rules = try await transaction.query(
            """
            SELECT id, subscriber_kind, subscriber, event_pattern, channel, release_key, release_type, priority, site
            FROM \(identifier: schemas.notify).subscriptions
            WHERE event_pattern = '*' OR event_pattern = \(eventType)
               OR (right(event_pattern, 2) = '.*' AND starts_with(\(eventType), left(event_pattern, -1)))
            """, label: "read subscriptions"
        ).map { row in
            let (id, kind, subscriber, pattern, channel, release, type, priority, site) = try row.decode(
                (UUID, String, String, String, String, String?, String?, String?, String?).self)
            return SubscriptionRule(
                id: id, subscriberKind: SubscriberKind(rawValue: kind), subscriber: subscriber, eventPattern: pattern,
                channel: NotificationChannel(rawValue: channel), releaseKey: release, releaseType: type, priority: priority,
                site: site)
        }
        let groups = Set(rules.filter { $0.subscriberKind == .group }.map(\.subscriber))
        let groupMembers = try await members(of: Array(groups), in: transaction)
        return rules.map { rule in
            (rule, rule.subscriberKind == .group ? groupMembers[rule.subscriber] ?? [] : [rule.subscriber])
        }
    }

    /// Each person's mode for `releaseKey`: their choice for the release, else for all releases.
    public func preferences(
        of people: [String], releaseKey: String?, in transaction: PostgresTransaction
    ) async throws -> [String: NotificationMode] {
        guard !people.isEmpty else { return [:] }
        var modes: [String: NotificationMode] = [:]
        for row in try await transaction.query(
            """
            SELECT DISTINCT ON (person) person, mode FROM \(identifier: schemas.notify).preferences
            WHERE person = ANY(\(bind: PostgresArrayBind.texts(people))) AND release_key IN ('', \(releaseKey ?? ""))
            ORDER BY person, (release_key = '')
            """, label: "read preferences")
        {
            let (person, mode) = try row.decode((String, String).self)
            modes[person] = NotificationMode(rawValue: mode)
        }
        return modes
    }

    /// People subscribed by hand to one release (groups expanded).
    public func releaseSubscribers(_ releaseKey: String, in transaction: PostgresTransaction) async throws -> [String] {
        let rows = try await transaction.query(
            """
            SELECT DISTINCT subscriber_kind, subscriber FROM \(identifier: schemas.notify).subscriptions
            WHERE release_key = \(releaseKey)
            """, label: "read release subscribers"
        ).map { try $0.decode((String, String).self) }
        let groups = rows.filter { $0.0 == "group" }.map(\.1)
        let members = try await members(of: groups, in: transaction)
        return Array(Set(rows.flatMap { $0.0 == "group" ? members[$0.1] ?? [] : [$0.1] })).sorted()
    }

    /// The people the work plan assigns `tasks` of the release to (a task owned by a person
    /// directly, or assigned earlier).
    public func assignees(of tasks: [String], release releaseKey: String, in transaction: PostgresTransaction) async throws -> [String] {
        guard !tasks.isEmpty else { return [] }
        return try await transaction.query(
            """
            SELECT DISTINCT assignee FROM \(identifier: schemas.planning).work_plan_tasks
            WHERE release_key = \(releaseKey) AND key = ANY(\(bind: PostgresArrayBind.texts(tasks))) AND assignee IS NOT NULL
            ORDER BY 1
            """, label: "read task assignees"
        ).map { try $0.decode(String.self) }
    }
}
