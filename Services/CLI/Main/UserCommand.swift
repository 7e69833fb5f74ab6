import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard user list|create|token|revoke`: users, their roles and API tokens (admin).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "List and create users; issue and revoke API tokens.",
        subcommands: [List.self, Create.self, Token.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listUsers() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                guard !list.items.isEmpty else { return "no users\n" }
                return TextTable(
                    header: ["NAME", "ROLES", "DISABLED", "CREATED"],
                    rows: list.items.map { user in
                        [user.name, user.roles.map(\.rawValue).joined(separator: ","), user.disabled ? "yes" : "no",
                         user.createdAt.map(DateText.cell) ?? ""]
                    }
                ).text
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with one or more roles.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "A role (repeatable).") var role: [Components.Schemas.Role] = []
        @Flag(help: "Read a password for interactive login from stdin (12 to 72 characters); API-only users have none.")
        var passwordStdin = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard !role.isEmpty else { throw ValidationError("give at least one --role") }
        }

        func run() async throws {
            let password = passwordStdin ? try SecretInput.read(prompt: "Password for \(name): ") : nil
            let body = Components.Schemas.UserInput(name: name, roles: role, password: password)
            // The document gives user creation no Idempotency-Key: sent once, never resent.
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.createUser(body: .json(body)) }, expecting: { try $0.created.body.json })
            }
            try output.emit(reply) { "created user \($0.name) (\($0.roles.map(\.rawValue).joined(separator: ", ")))\n" }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API token for a user; it is printed once, alone on stdout.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "What the token is for, e.g. ci-pipeline.") var label: String
        @Option(help: "Lifetime in days, 1 to 366 (server default 90).") var days: Int?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let days, !(1...366).contains(days) { throw ValidationError("--days must be 1 to 366") }
        }

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.issueToken(path: .init(name: name), body: .json(.init(label: label, days: days)))
                }, expecting: { try $0.created.body.json })
            }
            if output.json {
                try Console.printJSON(reply.body)
            } else {
                // stdout carries the token alone (`TOKEN=$(shipboard user token …)`); the rest
                // is for the person at the terminal.
                Console.out(reply.value.token + "\n")
                Console.err("token \(reply.value.id) for \(name) expires \(DateText.cell(reply.value.expiresAt)); it is not shown again\n")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token at once.")
        @Argument(help: "The token's id (a UUID, as `user token` printed).") var tokenID: String
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard UUID(uuidString: tokenID) != nil else { throw ValidationError("the token id must be a UUID") }
        }

        func run() async throws {
            let id = tokenID.lowercased()
            _ = try await APISession.run { session in
                try await session.call({ try await $0.revokeToken(path: .init(tokenId: id)) }, expecting: { try $0.noContent })
            }
            // 204 has no body: --output json prints nothing (the exit status says it worked).
            if !output.json { Console.out("revoked token \(id)\n") }
        }
    }
}
