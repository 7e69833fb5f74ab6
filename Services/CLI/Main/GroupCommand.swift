import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard group list|add|remove|policy`: approver groups, the one list the gates check,
/// and how each group's tasks are assigned.
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "List approver groups; add or remove their members; set how their tasks are assigned.",
        subcommands: [List.self, Add.self, Remove.self, Policy.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List approver groups and their members.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listGroups() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                guard !list.items.isEmpty else { return "no groups\n" }
                return TextTable(header: ["GROUP", "MEMBERS"], rows: list.items.map { [$0.group, $0.members.joined(separator: ", ")] }).text
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member to an approver group (creating the group).")
        @Argument(help: "The group, e.g. cab.") var group: ConfigurationNameArgument
        @Argument(help: "The user to add.") var member: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.addGroupMember(
                        path: .init(name: group.text, member: member), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: GroupText.members)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member from an approver group.")
        @Argument(help: "The group.") var group: ConfigurationNameArgument
        @Argument(help: "The user to remove.") var member: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.removeGroupMember(
                        path: .init(name: group.text, member: member), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: GroupText.members)
        }
    }
}

extension GroupCommand {
    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how the group's tasks get an assignee when they become ready.",
            discussion: "round_robin (the default): members in turn. least_loaded: the member with the fewest open tasks.")
        @Argument(help: "The group.") var group: ConfigurationNameArgument
        @Argument(help: "round_robin or least_loaded.") var policy: Components.Schemas.AssignmentPolicy
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.setGroupAssignment(
                        path: .init(name: group.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(policy: policy)))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "\($0.group): \($0.policy.rawValue)\n" }
        }
    }
}

enum GroupText {
    static func members(_ group: Components.Schemas.Group) -> String {
        "\(group.group): \(group.members.isEmpty ? "no members" : group.members.joined(separator: ", "))\n"
    }
}
