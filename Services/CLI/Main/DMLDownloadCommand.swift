import ArgumentParser
import CLICore
import Contracts
import Crypto
import Foundation
import GatewayAPI
import NIOFileSystem
import OpenAPIRuntime

extension DMLCommand {
    /// Streams the archive to a temporary file beside the destination, hashing it as it
    /// arrives; the file is renamed into place only when its SHA-256 matches the digest the
    /// server announced. Otherwise nothing is left and the command fails.
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download an entry's archive, checked against its SHA-256 before it is kept.")

        @Argument(help: "NAME@VERSION.") var entry: DMLEntryArgument
        @Option(name: .shortAndLong, help: "Where to write it (default: NAME-VERSION.tar.gz here).") var output: String?

        func run() async throws {
            let destination = FilePath(output ?? entry.value.archiveFileName)
            let folder = destination.removingLastComponent().isEmpty ? FilePath(".") : destination.removingLastComponent()
            let temporary = folder.appending(".shipboard-download-\(UUID().uuidString.lowercased())")
            let coordinate = entry.value
            let (announced, received, size) = try await APISession.run(readTimeout: .seconds(600)) { session in
                let reply = try await session.call({
                    try await $0.downloadDMLContent(path: .init(name: coordinate.name, version: coordinate.version))
                }, expecting: { try $0.ok })
                return try await Self.write(try reply.value.body.binary, to: temporary, announced: reply.value.headers.X_hyphen_Shipboard_hyphen_SHA256)
            }
            if let problem = DownloadCheck.problem(announced: announced, received: received, size: size) {
                _ = try? await FileSystem.shared.removeItem(at: temporary)
                throw CommandFailure(problem)
            }
            guard rename(temporary.string, destination.string) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = try? await FileSystem.shared.removeItem(at: temporary)
                throw CommandFailure("cannot write \(destination): \(reason)")
            }
            Console.out("downloaded \(coordinate) to \(destination) (\(ByteSize.text(size)), sha256 \(received))\n")
        }

        /// The body into `file`, hashed and counted as it is written.
        static func write(_ body: HTTPBody, to file: FilePath, announced: String) async throws -> (String, String, Int64) {
            var hasher = SHA256()
            var size: Int64 = 0
            do {
                try await FileSystem.shared.withFileHandle(forWritingAt: file, options: .newFile(replaceExisting: false)) { handle in
                    try await handle.withBufferedWriter { writer in
                        for try await chunk in body {
                            hasher.update(data: chunk)
                            size += Int64(chunk.count)
                            try await writer.write(contentsOf: chunk)
                        }
                    }
                }
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                _ = try? await FileSystem.shared.removeItem(at: file)
                throw CommandFailure("the download failed after \(size) bytes: \(error); nothing was kept")
            }
            return (announced, LowercaseHex.encode(hasher.finalize()), size)
        }
    }
}
