import Foundation

/// `manifest.json`, the image's last entry: what the image is and every other file in it
/// with its SHA-256 and size, so anyone holding the archive can check each file.
public struct ImageManifest: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        public var path: String
        public var sha256: String
        public var size: Int64
        public var executable: Bool

        public init(path: String, sha256: String, size: Int64, executable: Bool) {
            self.path = path
            self.sha256 = sha256
            self.size = size
            self.executable = executable
        }
    }

    public static let entryName = "manifest.json"
    public static let formatVersion = 1

    public var format: Int
    public var name: String
    public var version: String
    public var releaseKey: String
    public var targetClasses: [String]
    /// In byte order of their paths, as in the archive.
    public var files: [File]

    public init(format: Int, name: String, version: String, releaseKey: String, targetClasses: [String], files: [File]) {
        self.format = format
        self.name = name
        self.version = version
        self.releaseKey = releaseKey
        self.targetClasses = targetClasses
        self.files = files
    }

    /// The manifest's bytes: sorted keys, no whitespace choices left to the encoder.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
