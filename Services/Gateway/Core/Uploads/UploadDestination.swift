import Contracts
import Images

/// Where an uploaded artifact goes: `<upload root>/<release key>/<path>`, and the name an
/// image spec's file gives as its source (`uploads/<release key>/<path>`, relative to
/// shipboard-build's import root, of which the upload root is the `uploads` folder).
///
/// The path follows the image's own path rules (``ImagePath``: relative, no `..`, no control
/// characters, at most 255 bytes), and so does the source it becomes, so whatever is
/// accepted here can be named in a spec. Nothing here touches the disk.
public struct UploadDestination: Sendable, Equatable {
    /// The upload root's name inside the import root.
    public static let folder = "uploads"

    public let releaseKey: String
    public let path: ImagePath
    /// What an image spec's file names as its `from` to use this upload.
    public let source: ImagePath

    public init(releaseKey: String, path: String) throws(CommandError) {
        // The key becomes a folder name: one plain component, nothing a path could exploit.
        guard let key = try? ImagePath(releaseKey), !releaseKey.contains("/") else {
            throw CommandError(.validation, "the release key is not a usable folder name", rule: "uploads.path",
                               fields: ["key": "must be a release key such as REL-000123"])
        }
        let file: ImagePath
        do {
            file = try ImagePath(path)
        } catch {
            throw CommandError(.validation, "the upload's path \(error.description)", rule: "uploads.path", fields: ["path": error.description])
        }
        do {
            source = try ImagePath("\(Self.folder)/\(key.value)/\(file.value)")
        } catch {
            throw CommandError(.validation, "the upload's path is too long once under \(Self.folder)/\(key.value)/", rule: "uploads.path",
                               fields: ["path": "at most \(ImagePath.maxBytes - Self.folder.utf8.count - key.value.utf8.count - 2) bytes"])
        }
        self.releaseKey = key.value
        self.path = file
    }

    /// The file under `root` (the gateway's upload root).
    public func file(under root: String) -> String {
        "\(root)/\(releaseKey)/\(path.value)"
    }
}
