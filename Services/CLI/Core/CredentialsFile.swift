import Foundation

/// What `shipboard login` saves: `{"url": …, "token": …}`.
public struct StoredCredentials: Codable, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var token: String

    public init(url: String, token: String) {
        self.url = url
        self.token = token
    }

    public var description: String { "StoredCredentials(url: \(url), token: <hidden>)" }
}

/// The credentials file: read as JSON, written readable by its owner alone (0600) in
/// directories this writes 0700, replaced in one rename so a reader never sees half a file.
public enum CredentialsFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stored credentials, or nil when there is no file.
    public static func read(at path: String) throws(Failure) -> StoredCredentials? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read \(path)")
        }
        do {
            return try JSONDecoder().decode(StoredCredentials.self, from: data)
        } catch {
            throw Failure(description: "\(path) is not a credentials file ({\"url\": …, \"token\": …}); run `shipboard login` again")
        }
    }

    public static func write(_ credentials: StoredCredentials, to path: String) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            // Only directories created here get 0700: an existing one (/tmp for a
            // $SHIPBOARD_CONFIG there) keeps its mode, and the file's 0600 protects the token.
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw Failure(description: "cannot create \(directory): \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(credentials) else { throw Failure(description: "cannot encode the credentials") }
        let temporary = path + ".tmp-\(getpid())"
        // Created 0600 from the start (never briefly world-readable); fchmod in case the
        // umask took bits away or the owner's read/write.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        let written = (try? handle.write(contentsOf: data)) != nil
        let synced = fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(reason)")
        }
    }
}
