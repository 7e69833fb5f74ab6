/// Why an image cannot be built, worded for the person who must fix the spec or the files.
public enum ImageSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPath(String, String)
    case duplicatePath(String)
    case missingFile(String)
    case outsideImportRoot(String)
    case notARegularFile(String)
    case missingInstallScript
    case missingBackoutScript
    case tooLarge(String, limit: Int64)
    case unreadable(String, String)
    case invalidPlan(String, String)

    public var description: String {
        switch self {
        case .invalidPath(let path, let reason): "the path '\(path)' \(reason)"
        case .duplicatePath(let path): "'\(path)' is named twice in the image"
        case .missingFile(let path): "'\(path)' does not exist under the import root"
        case .outsideImportRoot(let path): "'\(path)' leads outside the import root (through .. or a symbolic link)"
        case .notARegularFile(let path): "'\(path)' is not a regular file (a folder, device or socket)"
        case .missingInstallScript: "the image has no install script: add install.sh at its root"
        case .missingBackoutScript: "the image has no backout procedure: add backout.sh at its root"
        case .tooLarge(let path, let limit): "'\(path)' makes the image larger than its limit of \(limit) bytes"
        case .unreadable(let path, let reason): "'\(path)' cannot be read: \(reason)"
        case .invalidPlan(let path, let reason): "'\(path)' is refused: \(reason)"
        }
    }
}
