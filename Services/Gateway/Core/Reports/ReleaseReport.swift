import Contracts
import Foundation
import PlanningCore

/// A release's status report as one value: what ``ReleaseReportCSV`` and ``ReleaseReportHTML``
/// print. Every fact comes from the queries the API already answers with (the release, its
/// work plan, its latest rollout and targets, its delivery log, its audit trail and
/// planning's verdict on it); this type only selects and orders them.
///
/// - Bounded: at most ``targetLimit`` targets and the delivery log's export limit; what is
///   left out is said in ``notes``, never dropped silently.
/// - Addresses are as the delivery log shows them (``DeliveryAddress``: webhooks by host).
public struct ReleaseReport: Sendable, Equatable {
    /// The most targets a report lists (a rollout of 10,000 targets is listed whole).
    public static let targetLimit = 10_000

    public struct Header: Sendable, Equatable {
        public var key, title, phase, status, priority, requester, coordinator: String
        public var scheduledStart, scheduledEnd: Date?

        public init(key: String, title: String, phase: String, status: String, priority: String, requester: String,
                    coordinator: String, scheduledStart: Date?, scheduledEnd: Date?) {
            (self.key, self.title, self.phase, self.status, self.priority) = (key, title, phase, status, priority)
            (self.requester, self.coordinator, self.scheduledStart, self.scheduledEnd) = (requester, coordinator, scheduledStart, scheduledEnd)
        }
    }

    public struct Task: Sendable, Equatable {
        public var key, title, phase, group, state: String
        public var assignee, reason: String?
        public var startedAt, finishedAt: Date?

        public init(key: String, title: String, phase: String, group: String, assignee: String?, state: String,
                    startedAt: Date?, finishedAt: Date?, reason: String? = nil) {
            (self.key, self.title, self.phase, self.group, self.assignee) = (key, title, phase, group, assignee)
            (self.state, self.startedAt, self.finishedAt, self.reason) = (state, startedAt, finishedAt, reason)
        }
    }

    /// One decision at a gate: approved or rejected, by whom, when, with the comment or reason.
    public struct Decision: Sendable, Equatable {
        public var phase, actor, verdict: String
        public var at: Date
        public var comment: String?

        public init(phase: String, actor: String, verdict: String, at: Date, comment: String?) {
            (self.phase, self.actor, self.verdict, self.at, self.comment) = (phase, actor, verdict, at, comment)
        }
    }

    /// One target of the latest rollout: its outcome is the target's state.
    public struct Target: Sendable, Equatable {
        public var taskKey, source, target, site, outcome: String
        public var wave, attempts: Int
        public var finishedAt: Date?
        public var detail: String?

        public init(taskKey: String, source: String, target: String, site: String, wave: Int, outcome: String, attempts: Int,
                    finishedAt: Date?, detail: String?) {
            (self.taskKey, self.source, self.target, self.site, self.wave) = (taskKey, source, target, site, wave)
            (self.outcome, self.attempts, self.finishedAt, self.detail) = (outcome, attempts, finishedAt, detail)
        }
    }

    public struct Site: Sendable, Equatable {
        public var site: String
        public var counts: RolloutCounts

        public init(site: String, counts: RolloutCounts) {
            self.site = site
            self.counts = counts
        }
    }

    public struct Notification: Sendable, Equatable {
        public var recipient, channel, event, state: String
        /// As the delivery log shows it.
        public var address: String?
        public var attempts: Int
        public var createdAt: Date
        public var sentAt: Date?

        public init(recipient: String, channel: String, event: String, address: String?, state: String, attempts: Int,
                    createdAt: Date, sentAt: Date?) {
            (self.recipient, self.channel, self.event, self.address) = (recipient, channel, event, address)
            (self.state, self.attempts, self.createdAt, self.sentAt) = (state, attempts, createdAt, sentAt)
        }
    }

    /// Planning's verdict on the trail, as the API's `verifyReleaseAudit` answers it; when
    /// planning cannot be asked (timeout, away) the report still prints, saying so.
    public enum Verdict: Sendable, Equatable {
        case intact(entries: Int)
        case broken(at: Int?, reason: String?)
        case unverified

        public init(_ verdict: AuditTrailVerdict) {
            self = verdict.intact ? .intact(entries: verdict.entries ?? 0) : .broken(at: verdict.brokenAt, reason: verdict.reason)
        }

        /// One word for a cell: `intact`, `broken` or `unverified`.
        public var word: String {
            switch self {
            case .intact: "intact"
            case .broken: "broken"
            case .unverified: "unverified"
            }
        }

        public var sentence: String {
            switch self {
            case .intact(let entries): "Verified: all \(entries) entries and their links check out."
            case .broken(let at, let reason):
                "Broken at entry \(at.map(String.init) ?? "?"): \(reason ?? "it does not check out")."
            case .unverified: "The audit trail could not be verified right now."
            }
        }
    }

    public struct Audit: Sendable, Equatable {
        public var entries: Int
        public var first, last: Date?
        public var verdict: Verdict

        public init(entries: Int, first: Date?, last: Date?, verdict: Verdict) {
            (self.entries, self.first, self.last, self.verdict) = (entries, first, last, verdict)
        }
    }

    public var header: Header
    /// The work plan's share of finished tasks; nil when the release has no work plan.
    public var workPlanPercent: Double?
    public var tasks: [Task]
    public var decisions: [Decision]
    /// The latest rollout's state; nil when the release has no rollout.
    public var rolloutState: String?
    public var targets: [Target]
    public var sites: [Site]
    public var notifications: [Notification]
    public var audit: Audit
    /// What the report left out, in words.
    public var notes: [String]
    public var generatedAt: Date

    public init(header: Header, workPlanPercent: Double?, tasks: [Task], decisions: [Decision], rolloutState: String?,
                targets: [Target], sites: [Site], notifications: [Notification], audit: Audit, notes: [String], generatedAt: Date) {
        (self.header, self.workPlanPercent, self.tasks, self.decisions) = (header, workPlanPercent, tasks, decisions)
        (self.rolloutState, self.targets, self.sites, self.notifications) = (rolloutState, targets, sites, notifications)
        (self.audit, self.notes, self.generatedAt) = (audit, notes, generatedAt)
    }
}
