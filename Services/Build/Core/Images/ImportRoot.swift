import Images
import Foundation

/// The folder the build service reads artifacts from. A name is resolved with every
/// symbolic link followed, and must still be inside the root afterwards.
public struct ImportRoot: Sendable {
    /// The root with its own links resolved, ending in `/`.
    let resolved: String

    public init(_ path: String) throws(ImageSpecError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .missingFile(path)
        }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        self.resolved = resolved.hasSuffix("/") ? resolved : resolved + "/"
    }

    /// The real path of `name` and its size; refused when it is missing, leaves the root,
    /// or is not a regular file.
    public func file(_ name: ImagePath) throws(ImageSpecError) -> (path: String, size: Int64) {
        let joined = resolved + name.value
        guard FileManager.default.fileExists(atPath: joined) else { throw .missingFile(name.value) }
        let real = URL(fileURLWithPath: joined).resolvingSymlinksInPath().path
        guard real.hasPrefix(resolved) else { throw .outsideImportRoot(name.value) }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: real)
        } catch {
            throw .unreadable(name.value, "\(error.localizedDescription)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw .notARegularFile(name.value) }
        return (real, (attributes[.size] as? NSNumber)?.int64Value ?? 0)
    }
}
