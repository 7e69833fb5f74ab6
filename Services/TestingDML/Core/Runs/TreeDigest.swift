import Contracts
import Crypto
import Foundation
import Glibc

/// A SHA-256 over a folder tree's state: every entry's relative path (in byte order), its
/// type (file, folder, link, other), its permission bits, and a file's bytes or a link's
/// target. Two trees with the same digest hold the same names, kinds, modes and contents;
/// times and owners do not count (an install and its backout may touch them).
///
/// Links are recorded, never followed, so a link pointing out of the tree cannot make the
/// digest read outside it. Files are read in chunks: memory holds the list of names, never
/// a file.
public enum TreeDigest {
    static let chunkSize = 1 << 20

    /// Why a tree cannot be digested (a file vanished or is unreadable).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func of(root: String) throws(Failure) -> String {
        var hasher = SHA256()
        var paths: [String] = []
        try collect(root, relative: "", into: &paths)
        paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for relative in [""] + paths {
            try add(root, relative, to: &hasher)
        }
        return LowercaseHex.encode(hasher.finalize())
    }

    /// Every path under `folder`, relative to the root; folders are descended, links are not.
    private static func collect(_ root: String, relative: String, into paths: inout [String]) throws(Failure) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw Failure(description: "the folder '\(relative)' cannot be listed")
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            paths.append(path)
            if try status(root + "/" + path).st_mode & S_IFMT == S_IFDIR {
                try collect(root, relative: path, into: &paths)
            }
        }
    }

    private static func status(_ path: String) throws(Failure) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw Failure(description: "'\(path)' cannot be examined") }
        return info
    }

    /// One record: path, NUL, type letter, permission bits, NUL, then the content's length and bytes.
    private static func add(_ root: String, _ relative: String, to hasher: inout SHA256) throws(Failure) {
        let full = relative.isEmpty ? root : root + "/" + relative
        let info = try status(full)
        let kind: String =
            switch info.st_mode & S_IFMT {
            case S_IFREG: "f"
            case S_IFDIR: "d"
            case S_IFLNK: "l"
            default: "o"
            }
        hasher.update(data: Array("\(relative)\0\(kind)\(String(info.st_mode & 0o7777, radix: 8))\0".utf8))
        switch kind {
        case "f":
            hasher.update(data: withUnsafeBytes(of: Int64(info.st_size).bigEndian) { Array($0) })
            try hashContents(of: full, relative: relative, into: &hasher)
        case "l":
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(full, &target, target.count - 1)
            guard count >= 0 else { throw Failure(description: "the link '\(relative)' cannot be read") }
            let bytes = target.prefix(count).map { UInt8(bitPattern: $0) }
            hasher.update(data: withUnsafeBytes(of: Int64(count).bigEndian) { Array($0) } + bytes)
        default:
            break
        }
    }

    private static func hashContents(of path: String, relative: String, into hasher: inout SHA256) throws(Failure) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "the file '\(relative)' cannot be read") }
        let input = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch {
            throw Failure(description: "the file '\(relative)' cannot be read")
        }
    }
}
