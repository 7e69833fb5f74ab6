import Foundation
import Contracts

/// The values of `shipboard rollout plan`'s flags, parsed into a ``RolloutDefinition``: only
/// their shape is checked here (`k=v`, `kind:direction:CI,CI`, `10%`, `pause:300`); the
/// rollout service's planner checks every rule. Each parser answers nil for text it does not
/// read, so ArgumentParser reports the flag as a usage error.
public enum RolloutDefinitionArguments {
    /// `--tag env=prod`: an attribute name and the value it must have.
    public static func tag(_ text: String) -> (name: String, value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let name = String(text[..<equals]), value = String(text[text.index(after: equals)...])
        return name.isEmpty ? nil : (name, value)
    }

    /// `--related runs_on:incoming:CI-SRV-0001,CI-SRV-0002`: the CIs that `runs_on` these.
    public static func related(_ text: String) -> RolloutRelationSelection? {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        let kind = CIRelationshipKind(rawValue: parts[0]), direction = RolloutRelationDirection(rawValue: parts[1])
        let anchors = list(parts[2])
        if case .unknown = kind { return nil }
        if case .unknown = direction { return nil }
        return anchors.isEmpty ? nil : RolloutRelationSelection(kind: kind, direction: direction, anchors: anchors)
    }

    /// `--threshold 2` (failed rollouts) or `--threshold 10%` (of the plan's rollouts).
    public static func threshold(_ text: String) -> RolloutFailureThreshold? {
        if text.hasSuffix("%") {
            return Int(text.dropLast()).map { .percent($0) }
        }
        return Int(text).map { .count($0) }
    }

    /// `--between none|approval|pause:300|soak:600` (seconds for the timed gates).
    public static func gate(_ text: String) -> RolloutWaveGate? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let kind = RolloutGateKind(rawValue: parts[0])
        if case .unknown = kind { return nil }
        guard kind.isTimed else { return parts.count == 1 ? RolloutWaveGate(kind: kind) : nil }
        guard parts.count == 2, let seconds = Int(parts[1]) else { return nil }
        return RolloutWaveGate(kind: kind, seconds: seconds)
    }

    /// `--backout-scope current_wave|all`.
    public static func backoutScope(_ text: String) -> RolloutBackoutScope? {
        let scope = RolloutBackoutScope(rawValue: text)
        if case .unknown = scope { return nil }
        return scope
    }

    /// `A,B,C` as its non-empty items (`--site-order`, `--source`, the anchors of `--related`).
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `base` (from `--file`, or an empty one) with every flag that was given laid over it:
    /// lists given on the command line replace the file's.
    public static func definition(base: RolloutDefinition?, flags: RolloutDefinitionFlags) -> RolloutDefinition {
        var definition = base ?? RolloutDefinition(targets: RolloutTargetSelection())
        func replace<Value>(_ path: WritableKeyPath<RolloutDefinition, Value?>, _ value: Value?) {
            if let value { definition[keyPath: path] = value }
        }
        func replace<Value>(_ path: WritableKeyPath<RolloutTargetSelection, Value?>, _ value: Value?) {
            if let value { definition.targets[keyPath: path] = value }
        }
        replace(\.sources, flags.sources.isEmpty ? nil : flags.sources)
        replace(\.keys, flags.targetKeys.isEmpty ? nil : flags.targetKeys)
        replace(\.sites, flags.sites.isEmpty ? nil : flags.sites)
        replace(\.classes, flags.classes.isEmpty ? nil : flags.classes)
        replace(\.tags, flags.tags.isEmpty ? nil : Dictionary(flags.tags, uniquingKeysWith: { $1 }))
        replace(\.related, flags.related)
        replace(\.canary, flags.canary)
        replace(\.siteOrder, flags.siteOrder.isEmpty ? nil : flags.siteOrder)
        replace(\.window, flags.window)
        replace(\.failureThreshold, flags.threshold)
        replace(\.betweenWaves, flags.betweenWaves)
        replace(\.backoutScope, flags.backoutScope)
        return definition
    }
}

/// The definition's flags as `rollout plan` parsed them (empty lists and nil: not given).
public struct RolloutDefinitionFlags: Sendable {
    public var sources: [String] = []
    public var targetKeys: [String] = []
    public var sites: [String] = []
    public var classes: [CIClass] = []
    public var tags: [(String, String)] = []
    public var related: RolloutRelationSelection?
    public var canary: Int?
    public var siteOrder: [String] = []
    public var window: Int?
    public var threshold: RolloutFailureThreshold?
    public var betweenWaves: RolloutWaveGate?
    public var backoutScope: RolloutBackoutScope?

    public init() {}
}
