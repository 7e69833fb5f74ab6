import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard plan apply|show`: a release's work plan.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Apply a job plan to a release, or show its work plan and progress.",
        subcommands: [Apply.self, Show.self, AutoAdvance.self])

    struct AutoAdvance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "auto-advance",
            abstract: "Let the release leave each phase by itself once its exit criteria and gate allow (on), or not (off).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Argument(help: "on or off.") var setting: Switch
        @OptionGroup var output: OutputOptions

        enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.setAutoAdvance(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(enabled: setting == .on)))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { ReleaseText.summary("auto-advance \(setting.rawValue) for", $0) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the latest version of a job plan into the release.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(name: .customLong("job-plan"), help: "The job plan (default: the release's, else standard-release).")
        var jobPlan: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.applyJobPlan(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(jobPlanName: jobPlan)))
                }, expecting: { try $0.created.body.json })
            }
            try output.emit(reply) { applied in
                "applied \(applied.jobPlanName) v\(applied.jobPlanVersion) to \(applied.releaseKey): \(applied.taskCount) tasks; "
                    + "ready: \(applied.ready.isEmpty ? "none" : applied.ready.joined(separator: ", "))\n"
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the work plan: tasks, progress, critical path, late tasks.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Flag(help: "Draw a text Gantt chart instead of the task table.") var gantt = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getWorkPlan(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { WorkPlanText.show($0, gantt: gantt) }
        }
    }
}

/// `shipboard task start|finish|fail|skip KEY TASK`: work a task of a release's work plan.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Start, finish, fail or skip a task (yours, your group's, or any as release manager).",
        subcommands: [Start.self, Finish.self, Fail.self, Skip.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a ready (or failed) task.")
        @OptionGroup var task: TaskArguments
        func run() async throws { try await task.act(.start, reason: nil) }
    }

    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Finish a task in progress.")
        @OptionGroup var task: TaskArguments
        func run() async throws { try await task.act(.finish, reason: nil) }
    }

    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a task in progress as failed, saying why.")
        @OptionGroup var task: TaskArguments
        @Option(help: "Why it failed.") var reason: String
        func run() async throws { try await task.act(.fail, reason: reason) }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Skip a task that is not needed, saying why.")
        @OptionGroup var task: TaskArguments
        @Option(help: "Why it is not needed.") var reason: String
        func run() async throws { try await task.act(.skip, reason: reason) }
    }
}

struct TaskArguments: ParsableArguments {
    @Argument(help: "The release key.") var key: ReleaseKey
    @Argument(help: "The task's key, e.g. structure.") var taskKey: String
    @OptionGroup var output: OutputOptions

    func act(_ action: Components.Schemas.TaskActionInput.actionPayload, reason: String?) async throws {
        let reply = try await APISession.run { session in
            try await session.command({ client, idempotencyKey in
                try await client.actOnTask(
                    path: .init(key: key.text, taskKey: taskKey), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                    body: .json(.init(action: action, reason: reason)))
            }, expecting: { try $0.ok.body.json })
        }
        try output.emit(reply) { acted in
            "\(acted.releaseKey) \(acted.taskKey): \(acted.state.rawValue)"
                + (acted.nowReady.isEmpty ? "" : "; now ready: \(acted.nowReady.joined(separator: ", "))") + "\n"
        }
    }
}

/// Work plans for a terminal.
enum WorkPlanText {
    static func show(_ plan: Components.Schemas.WorkPlan, gantt: Bool) -> String {
        var text = CellText.truncate(
            "\(plan.releaseKey)  \(plan.jobPlanName) v\(plan.jobPlanVersion): \(Int(plan.percent.rounded()))% done", to: TextTable.standardWidth) + "\n"
        text += FieldList([
            ("phases", plan.phases.map { "\($0.phase.rawValue) \(Int($0.percent.rounded()))%" }.joined(separator: ", ")),
            ("remaining", "\(DurationText.minutes(plan.remainingMinutes)), expected \(DateText.cell(plan.expectedFinish))"),
            ("critical path", plan.criticalPath.isEmpty ? nil : plan.criticalPath.joined(separator: " → ")),
            ("late", plan.lateTasks.isEmpty ? nil : plan.lateTasks.joined(separator: ", ")),
        ]).text
        if gantt {
            return text + "\n" + GanttChart.render(plan.tasks.map {
                GanttChart.Task(key: $0.key, predecessors: $0.predecessors, minutes: $0.estimateMinutes, state: $0.state.rawValue)
            })
        }
        return text + "\n" + TextTable(
            header: ["TASK", "PHASE", "STATE", "WHO", "EST", "TITLE"],
            rows: plan.tasks.map {
                [$0.key, $0.phase.rawValue, $0.state.rawValue, $0.assignee ?? $0.owner, DurationText.minutes($0.estimateMinutes), $0.title]
            }).text
    }
}
