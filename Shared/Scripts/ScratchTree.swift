import Foundation

/// Removing a folder a script has worked in. A script may have taken the write bit off its
/// folders, which would make the removal fail half-way: give it back first.
public enum ScratchTree {
    /// Removes `path` and everything under it; a missing folder is not an error.
    public static func remove(_ path: String) {
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                let full = (path as NSString).appendingPathComponent(relative)
                if (try? FileManager.default.attributesOfItem(atPath: full))?[.type] as? FileAttributeType == .typeDirectory {
                    try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full)
                }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
