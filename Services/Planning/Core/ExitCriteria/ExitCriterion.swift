/// The exit criteria shipboard-planning can evaluate from what it holds. Which of them a
/// phase checks, and whether a failure is a warning or an error, is configured per phase
/// (`ExitCriteriaSettings`); none is checked until configured.
public enum ExitCriterion: String, CaseIterable, Sendable {
    /// The release states a business justification.
    case businessJustification = "business_justification"
    /// At least one approved change request is part of the release.
    case changesAdded = "changes_added"
    /// Every change names at least one affected CI, and every CI named is in the CMDB.
    case affectedCIsIdentified = "affected_cis_identified"
    /// Scheduled start and end are set.
    case scheduleSet = "schedule_set"
    /// A job plan is named for the release.
    case jobPlanNamed = "job_plan_named"
    /// Every task of the phase in the release's work plan is done or skipped (a release
    /// without a work plan fails it: nothing says the phase's work was done).
    case phaseTasksFinished = "phase_tasks_finished"

    /// What it checks, for people configuring it.
    public var summary: String {
        switch self {
        case .businessJustification: "the release states a business justification"
        case .changesAdded: "at least one approved change is part of the release"
        case .affectedCIsIdentified: "every change names affected CIs that exist in the CMDB"
        case .scheduleSet: "scheduled start and end are set"
        case .jobPlanNamed: "a job plan is named"
        case .phaseTasksFinished: "every task of the phase is done or skipped"
        }
    }
}
