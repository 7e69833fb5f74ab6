import ArgumentParser
import CLICore
import Foundation
import GatewayAPI
import NIOFileSystem
import OpenAPIRuntime

/// `shipboard image spec|upload|build|show`: a release's software image.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Describe, upload files for, build and show a release's software image.",
        subcommands: [Spec.self, Upload.self, Build.self, Show.self])

    struct Spec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the release's image spec (replacing the one saved before).",
            discussion: "Each --file is PATH=FROM, or PATH=FROM:x for a file that runs: PATH is its name in the image, "
                + "FROM its source under the build service's import root (what `shipboard image upload` printed as from). "
                + "Or give the whole spec as the API's JSON with --from-json.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "The image's name.") var name: String?
        @Option(help: "The image's version.") var version: String?
        @Option(help: "A CI class the image installs on (repeatable).") var targetClass: [String] = []
        @Option(help: "PATH=FROM[:x] (repeatable).") var file: [SpecFile] = []
        @Option(help: "A JSON file with name, version, targetClasses and files, instead of the options.") var fromJson: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if fromJson != nil {
                guard name == nil, version == nil, targetClass.isEmpty, file.isEmpty else {
                    throw ValidationError("--from-json replaces --name, --version, --target-class and --file")
                }
            } else if name == nil || version == nil || file.isEmpty {
                throw ValidationError("give --name, --version and at least one --file (or --from-json FILE)")
            }
        }

        func run() async throws {
            let body = try specInput()
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.saveImageSpec(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "saved the image spec of \($0.releaseKey): revision \($0.revision), \($0.fileCount) files\n" }
        }

        func specInput() throws -> Components.Schemas.ImageSpecInput {
            if let fromJson {
                guard let data = FileManager.default.contents(atPath: fromJson) else { throw CommandFailure("cannot read \(fromJson)", status: .usage) }
                do {
                    return try JSONDecoder().decode(Components.Schemas.ImageSpecInput.self, from: data)
                } catch {
                    throw CommandFailure("\(fromJson) is not an image spec (name, version, targetClasses, files)", status: .usage)
                }
            }
            return .init(
                name: name ?? "", version: version ?? "", targetClasses: targetClass.isEmpty ? nil : targetClass,
                files: file.map { .init(path: $0.value.path, from: $0.value.from, executable: $0.value.executable) })
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream a local file into the release's upload folder; prints the `from` a spec names it by.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Argument(help: "The local file to upload.") var localFile: String
        @Option(name: .customLong("as"), help: "Its name in the upload folder (default: the file's name).") var path: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let name = path ?? URL(fileURLWithPath: localFile).lastPathComponent
            let info: FileInfo?
            do {
                info = try await FileSystem.shared.info(forFileAt: FilePath(localFile))
            } catch {
                throw CommandFailure("cannot read \(localFile)", status: .usage)
            }
            guard let info, info.type == .regular else { throw CommandFailure("\(localFile) is not a file", status: .usage) }
            let reply = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(localFile)) { handle in
                // The file streams as it is read: a chunk at a time, never whole in memory.
                let body = HTTPBody(
                    handle.readChunks().map { ArraySlice($0.readableBytesView) }, length: .known(info.size), iterationBehavior: .single)
                return try await APISession.run(readTimeout: .seconds(600)) { session in
                    try await session.call({
                        try await $0.uploadImageArtifact(path: .init(key: key.text, path: name), body: .binary(body))
                    }, expecting: { try $0.created.body.json })
                }
            }
            try output.emit(reply, table: ImageText.uploaded)
        }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the release's image from its saved spec (in the background; see `shipboard image show`).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.requestImageBuild(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.accepted.body.json })
            }
            try output.emit(reply) { "build \($0.taskKey) of \($0.releaseKey) queued\n" }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the release's image spec and its builds, newest first.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getReleaseImage(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: ImageText.show)
        }
    }
}

/// A `--file PATH=FROM[:x]` argument.
struct SpecFile: ExpressibleByArgument, Sendable {
    let value: SpecFileArgument

    init?(argument: String) {
        guard let value = SpecFileArgument(argument) else { return nil }
        self.value = value
    }
}
