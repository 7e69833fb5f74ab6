/// The events shipboard-notify is told about (its queue binds exactly these): every event of a
/// release's life that a stakeholder may want to hear of. Per-target rollout successes are not
/// among them (thousands per rollout; the wave and rollout events and failures say enough), nor
/// notify's own `notification.*` events (a failing endpoint must not notify about itself).
public enum NotifiedEventTypes {
    public static let all: [String] = [
        ReleaseCreated.messageType, ReleaseSubmitted.messageType, ReleaseApproved.messageType, ReleaseRejected.messageType,
        ReleasePhaseChanged.messageType, ReleaseStatusChanged.messageType, ReleaseUpdated.messageType,
        TaskChanged.messageType, ReleaseCollisionsFound.messageType, DeploymentGuardsOverridden.messageType,
        ImageBuilt.messageType, ImageBuildFailed.messageType, ImageRejected.messageType,
        TestRunCompleted.messageType, DMLEntryAdded.messageType, DMLVerified.messageType,
        RolloutPlannedEvent.messageType, RolloutStarted.messageType, RolloutPaused.messageType, RolloutResumed.messageType,
        RolloutHalted.messageType, RolloutBackedOut.messageType, RolloutAborted.messageType, RolloutCompleted.messageType,
        RolloutWaveOpened.messageType, RolloutWaveCompleted.messageType, RolloutTargetFailed.messageType,
    ]
}
