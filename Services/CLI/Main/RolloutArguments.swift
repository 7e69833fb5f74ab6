import ArgumentParser
import CLICore
import Contracts
import GatewayAPI

// `shipboard rollout plan`'s flag values; each shape is read by RolloutDefinitionArguments
// (CLICore), so a malformed one is a usage error naming the flag.

/// `--tag NAME=VALUE`.
struct RolloutTagArgument: ExpressibleByArgument, Sendable {
    let tag: (name: String, value: String)
    init?(argument: String) {
        guard let tag = RolloutDefinitionArguments.tag(argument) else { return nil }
        self.tag = tag
    }
}

/// `--related KIND:incoming|outgoing:CI,CI`.
struct RolloutRelatedArgument: ExpressibleByArgument, Sendable {
    let selection: RolloutRelationSelection
    init?(argument: String) {
        guard let selection = RolloutDefinitionArguments.related(argument) else { return nil }
        self.selection = selection
    }
}

/// `--threshold N` or `--threshold N%`.
struct RolloutThresholdArgument: ExpressibleByArgument, Sendable {
    let threshold: RolloutFailureThreshold
    init?(argument: String) {
        guard let threshold = RolloutDefinitionArguments.threshold(argument) else { return nil }
        self.threshold = threshold
    }
}

/// `--between none|approval|pause:SECONDS|soak:SECONDS`.
struct RolloutGateArgument: ExpressibleByArgument, Sendable {
    let gate: RolloutWaveGate
    init?(argument: String) {
        guard let gate = RolloutDefinitionArguments.gate(argument) else { return nil }
        self.gate = gate
    }
}

/// `--backout-scope current_wave|all`.
struct RolloutBackoutScopeArgument: ExpressibleByArgument, Sendable {
    let scope: RolloutBackoutScope
    init?(argument: String) {
        guard let scope = RolloutDefinitionArguments.backoutScope(argument) else { return nil }
        self.scope = scope
    }
}

/// `A,B,C` (`--source`, `--site-order`; repeating the flag adds more).
struct RolloutListArgument: ExpressibleByArgument, Sendable {
    let items: [String]
    init?(argument: String) {
        let items = RolloutDefinitionArguments.list(argument)
        guard !items.isEmpty else { return nil }
        self.items = items
    }
}

extension Components.Schemas.RolloutTargetState: ExpressibleByArgument {}
