import Contracts
import Foundation
import NotificationCore
import Testing

/// Who is told, on which channel and why: each role's defaults, subscriptions with filters,
/// preferences, own actions, missing addresses and merged reasons.
@Suite("Recipient selection")
struct RecipientSelectionTests {
    typealias Sub = RecipientSelection.ExpandedSubscription

    static let people: [String: Person] = [
        "rita": Person(name: "rita", displayName: "Rita", contacts: [.email: "rita@example.com"]),
        "colin": Person(name: "colin", displayName: "Colin", contacts: [.email: "colin@example.com", .chat: "https://chat.example.com/hook"]),
        "alice": Person(name: "alice", displayName: "Alice", contacts: [.email: "alice@example.com"]),
        "adam": Person(name: "adam", displayName: "Adam", contacts: [:]),
        "tom": Person(name: "tom", displayName: "Tom", contacts: [.email: "tom@example.com"]),
        "sam": Person(name: "sam", displayName: "Sam", contacts: [.email: "sam@example.com", .webhook: "https://hooks.example.com/x"]),
    ]

    static let roles: [Stakeholder] = [
        Stakeholder(person: "rita", roles: [.requester]),
        Stakeholder(person: "colin", roles: [.coordinator]),
        Stakeholder(person: "sam", roles: [.siteContact], sites: ["FRA1"]),
    ]

    static func select(
        _ event: EventFacts, release: ReleaseFacts? = SampleEvents.release, stakeholders: [Stakeholder] = roles,
        subscriptions: [Sub] = [], preferences: [String: NotificationMode] = [:], people: [String: Person] = people
    ) -> [PlannedDelivery] {
        RecipientSelection.select(
            event: event, release: release, stakeholders: stakeholders, subscriptions: subscriptions, preferences: preferences, people: people)
    }

    static func told(_ deliveries: [PlannedDelivery]) -> [String] {
        deliveries.map { "\($0.recipient)/\($0.channel.rawValue)" }
    }

    static func event(_ type: String, actor: String = "system", payload: JSONValue = .object([:]), release: Bool = true) -> EventFacts {
        EventFacts(id: UUID(), type: type, releaseKey: release ? SampleEvents.releaseKey : nil, actor: actor, occurredAt: SampleEvents.at, payload: payload)
    }

    static func rule(_ pattern: String, _ channel: NotificationChannel, key: String? = nil, type: String? = nil, priority: String? = nil,
                     site: String? = nil) -> SubscriptionRule {
        SubscriptionRule(id: UUID(), subscriberKind: .person, subscriber: "x", eventPattern: pattern, channel: channel,
                         releaseKey: key, releaseType: type, priority: priority, site: site)
    }

    @Test func requesterAndCoordinatorGetPhaseAndStatusChanges() {
        for sample in [SampleEvents.phaseChanged, SampleEvents.statusChanged] {
            var event = sample
            event.actor = "someone-else"
            let deliveries = Self.select(event)
            #expect(Self.told(deliveries) == ["colin/email", "colin/in_app", "rita/email", "rita/in_app"])
            #expect(deliveries.first { $0.recipient == "rita" }?.reason == "requester")
            #expect(deliveries.first { $0.recipient == "colin" }?.reason == "coordinator")
        }
    }

    @Test func coordinatorGetsRolloutHaltsAndBackoutsButNotStarts() {
        let halted = Self.select(SampleEvents.rolloutHalted, stakeholders: [Self.roles[1]])
        #expect(Self.told(halted) == ["colin/email", "colin/in_app"])
        #expect(Self.select(SampleEvents.rolloutBackedOut, stakeholders: [Self.roles[1]]).count == 2)
        #expect(Self.select(SampleEvents.rolloutStarted, stakeholders: [Self.roles[1]]).isEmpty)
        #expect(Self.select(SampleEvents.rolloutStarted, stakeholders: [Self.roles[0]]).isEmpty, "the requester hears no rollout default")
    }

    @Test func siteContactsGetTheirSitesRolloutsOnly() {
        for sample in [SampleEvents.rolloutStarted, SampleEvents.rolloutCompleted, SampleEvents.rolloutHalted, SampleEvents.rolloutBackedOut] {
            let deliveries = Self.select(sample, stakeholders: [Self.roles[2]])
            #expect(Self.told(deliveries) == ["sam/email", "sam/in_app"], "\(sample.type)")
            #expect(deliveries.first?.reason == "site contact of FRA1")
        }
        var elsewhere = SampleEvents.release
        elsewhere.sites = ["LON1"]
        #expect(Self.select(SampleEvents.rolloutStarted, release: elsewhere, stakeholders: [Self.roles[2]]).isEmpty)
        #expect(Self.select(SampleEvents.rolloutStarted, release: nil, stakeholders: [Self.roles[2]]).isEmpty)
        #expect(Self.select(SampleEvents.phaseChanged, stakeholders: [Self.roles[2]]).isEmpty)
        #expect(Self.select(SampleEvents.targetFailed, stakeholders: [Self.roles[2]]).isEmpty)
    }

    @Test func approversGetTheApprovalRequestWhenAGateOpens() {
        let approvers = [Stakeholder(person: "alice", roles: [.approver]), Stakeholder(person: "adam", roles: [.approver])]
        let submitted = Self.select(SampleEvents.submitted, stakeholders: approvers)
        #expect(Self.told(submitted) == ["adam/in_app", "alice/email", "alice/in_app"], "adam has no email: in-app only")
        #expect(submitted.allSatisfy { $0.reason == "approver of cab" })
        #expect(DefaultSubscriptions.approvalGroup(of: SampleEvents.submitted, release: nil) == "cab")

        // A phase change into a phase whose gate waits asks the group the release waits for.
        var waiting = SampleEvents.release
        waiting.phase = "rollout_plan"
        waiting.pendingApproverGroup = "release-managers"
        let moved = Self.select(SampleEvents.phaseChanged, release: waiting, stakeholders: approvers)
        #expect(moved.count == 3)
        #expect(moved.allSatisfy { $0.reason == "approver of release-managers" })
        // No gate waits, or the release has moved on since: no request.
        #expect(Self.select(SampleEvents.phaseChanged, stakeholders: approvers).isEmpty)
        waiting.phase = "prepare"
        #expect(Self.select(SampleEvents.phaseChanged, release: waiting, stakeholders: approvers).isEmpty)
        // A submission with no gate, and the status change that comes with every submission, ask nobody.
        let noGate = Self.event("release.submitted", actor: "rita", payload: .object(["releaseKey": .string("REL-000042")]))
        #expect(Self.select(noGate, stakeholders: approvers).isEmpty)
        let pending = Self.event("release.status_changed", actor: "rita", payload: .object(["to": .string("pending_approval")]))
        #expect(Self.select(pending, stakeholders: approvers).isEmpty)
    }

    @Test func assigneesGetTasksThatBecomeReady() {
        // tom is named by the event (a group's policy picked him); adam is resolved by the caller.
        let deliveries = Self.select(SampleEvents.taskReady, stakeholders: [Stakeholder(person: "adam", roles: [.assignee])])
        #expect(Self.told(deliveries) == ["adam/in_app", "tom/email", "tom/in_app"])
        #expect(deliveries.allSatisfy { $0.reason == "assignee" })
        #expect(DefaultSubscriptions.readyTasks(in: SampleEvents.taskReady) == ["brief-sites", "run-tests"])

        let notReady = Self.event("release.task_changed", payload: .object([
            "taskKey": .string("t1"), "from": .string("ready"), "to": .string("in_progress"), "nowReady": .array([]),
        ]))
        #expect(Self.select(notReady, stakeholders: [Stakeholder(person: "adam", roles: [.assignee])]).isEmpty)
        let nowReady = Self.event("release.task_changed", payload: .object([
            "taskKey": .string("t1"), "from": .string("waiting"), "to": .string("ready"), "nowReady": .array([]),
        ]))
        #expect(Self.select(nowReady, stakeholders: [Stakeholder(person: "adam", roles: [.assignee])]).count == 1)
    }

    @Test func nobodyIsToldByDefaultsAboutTheirOwnAction() {
        var event = SampleEvents.statusChanged
        event.actor = " Rita "
        #expect(Self.told(Self.select(event)) == ["colin/email", "colin/in_app"])
        // An explicit subscription still applies.
        let own = Self.select(event, subscriptions: [(Self.rule("release.*", .inApp), ["rita"])])
        #expect(Self.told(own) == ["colin/email", "colin/in_app", "rita/in_app"])
    }

    @Test func subscriptionsMatchPatternAndEveryFilter() {
        var event = SampleEvents.targetFailed
        event.actor = "system"
        let cases: [(SubscriptionRule, Bool)] = [
            (Self.rule("rollout.*", .email), true),
            (Self.rule("*", .email), true),
            (Self.rule("release.*", .email), false),
            (Self.rule("rollout.*", .email, key: "REL-000042"), true),
            (Self.rule("rollout.*", .email, key: "REL-000043"), false),
            (Self.rule("rollout.*", .email, type: "minor"), true),
            (Self.rule("rollout.*", .email, type: "major"), false),
            (Self.rule("rollout.*", .email, priority: "high"), true),
            (Self.rule("rollout.*", .email, priority: "low"), false),
            (Self.rule("rollout.*", .email, site: "AMS1"), true),
            (Self.rule("rollout.*", .email, site: "LON1"), false),
            (Self.rule("rollout.*", .email, type: "minor", site: "LON1"), false),
        ]
        for (rule, expected) in cases {
            let deliveries = Self.select(event, stakeholders: [], subscriptions: [(rule, ["alice"])])
            #expect(Self.told(deliveries) == (expected ? ["alice/email"] : []), "\(rule)")
            #expect(RecipientSelection.matches(rule, event: event, release: SampleEvents.release) == expected)
        }
    }

    @Test func filteredSubscriptionsNeverMatchAnEventWithoutARelease() {
        let event = Self.event("dml.verified", release: false)
        #expect(!RecipientSelection.matches(Self.rule("*", .email, site: "FRA1"), event: event, release: nil))
        #expect(!RecipientSelection.matches(Self.rule("*", .email, type: "minor"), event: event, release: nil))
        #expect(RecipientSelection.matches(Self.rule("*", .email), event: event, release: nil))
    }

    @Test func aChannelWithoutAnAddressIsSkippedAndInAppAlwaysWorks() {
        let rules: [Sub] = [
            (Self.rule("*", .webhook), ["adam", "sam"]), (Self.rule("*", .chat), ["adam", "colin"]), (Self.rule("*", .inApp), ["adam"]),
        ]
        let deliveries = Self.select(SampleEvents.targetFailed, stakeholders: [], subscriptions: rules)
        #expect(Self.told(deliveries) == ["adam/in_app", "colin/chat", "sam/webhook"])
    }

    @Test func disabledOrUnknownPeopleAreSkipped() {
        let deliveries = Self.select(
            SampleEvents.statusChanged, stakeholders: [Stakeholder(person: "ghost", roles: [.requester])],
            subscriptions: [(Self.rule("*", .inApp), ["ghost", "gone"])])
        #expect(deliveries.isEmpty)
    }

    @Test func reasonsMergeOncePerRecipientAndChannel() throws {
        let rule = Self.rule("release.*", .email)
        let same = Self.rule("*", .email)
        var event = SampleEvents.statusChanged
        event.actor = "system"
        let deliveries = Self.select(
            event, stakeholders: [Stakeholder(person: "rita", roles: [.requester, .coordinator])],
            subscriptions: [(rule, ["rita"]), (same, ["rita"]), (rule, ["rita"])])
        let email = try #require(deliveries.first { $0.channel == .email })
        let short = { (rule: SubscriptionRule) in String(rule.id.uuidString.lowercased().prefix(8)) }
        #expect(email.reason == "requester, coordinator, subscription \(short(rule)), subscription \(short(same))")
        #expect(deliveries.count == 2)
        #expect(deliveries.first { $0.channel == .inApp }?.reason == "requester, coordinator")
    }

    @Test func aLongReasonIsCutTo200Characters() {
        let rules: [Sub] = (0..<40).map { _ in (Self.rule("*", .inApp), ["alice"]) }
        let deliveries = Self.select(SampleEvents.targetFailed, stakeholders: [], subscriptions: rules)
        #expect(deliveries.count == 1)
        #expect(deliveries[0].reason.count == 200)
        #expect(deliveries[0].reason.hasSuffix("…"))
    }

    @Test func muteTellsNobodyAndDigestDefers() {
        var event = SampleEvents.statusChanged
        event.actor = "system"
        let deliveries = Self.select(event, preferences: ["rita": .mute, "colin": .digest])
        #expect(Self.told(deliveries) == ["colin/email", "colin/in_app"])
        #expect(deliveries.allSatisfy { $0.timing == .digest })
        let immediate = Self.select(event, preferences: ["rita": .immediate, "colin": .unknown("weekly")])
        #expect(immediate.count == 4)
        #expect(immediate.allSatisfy { $0.timing == .now })
    }

    @Test func notifysOwnEventsAreNeverTold() {
        let failed = Self.event("notification.delivery_failed")
        #expect(Self.select(failed, subscriptions: [(Self.rule("*", .inApp), ["alice"])]).isEmpty)
    }

    @Test func outputIsSortedAndDeterministic() {
        let rules: [Sub] = [(Self.rule("*", .inApp), ["tom", "alice", "colin"]), (Self.rule("*", .email), ["tom", "alice"])]
        var event = SampleEvents.statusChanged
        event.actor = "system"
        let first = Self.select(event, subscriptions: rules)
        let second = Self.select(event, stakeholders: Self.roles.reversed(), subscriptions: rules.reversed())
        #expect(Self.told(first) == Self.told(first).sorted())
        #expect(Self.told(first) == Self.told(second))
    }
}
