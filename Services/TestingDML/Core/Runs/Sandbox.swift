import Foundation
import Scripts

/// A test run's throwaway folder, `<workRoot>/<run uuid>/`: `image/` (the unpacked image,
/// the processes' working directory), `target/` (the empty root the image installs into) and
/// the folder itself as the processes' `HOME`. It is removed when the run ends; a run killed
/// before that (`kill -9`) leaves it, and ``sweep(workRoot:olderThan:)`` removes it at a
/// later start once it has been untouched long enough (the redelivered command runs again in
/// a new sandbox). Each step touches the folder, so only a dead run's sandbox ages.
public struct Sandbox: Sendable {
    public let root: String
    public let run: UUID

    public var image: String { root + "/image" }
    public var target: String { root + "/target" }

    /// Run `run`'s sandbox under `workRoot` (not made yet: ``make()``).
    public init(workRoot: String, run: UUID) {
        self.root = (workRoot as NSString).appendingPathComponent(run.uuidString.lowercased())
        self.run = run
    }

    /// Makes the sandbox's folder and its empty target root.
    public func make() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    }

    /// Marks the sandbox as in use now (a step starts), so a sweep never takes a live run's.
    public func touch() {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: root)
    }

    /// Removes the sandbox and everything the run's processes put in it.
    public func remove() {
        ScratchTree.remove(root)
    }

    /// Removes sandboxes under `workRoot` last changed more than `age` ago; returns how many.
    /// Only folders named as a run (a UUID) are touched.
    @discardableResult
    public static func sweep(workRoot: String, olderThan age: Duration) -> Int {
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workRoot)) ?? [] where UUID(uuidString: name) != nil {
            let path = (workRoot as NSString).appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantFuture
            if modified <= cutoff {
                ScratchTree.remove(path)
                removed += 1
            }
        }
        return removed
    }
}
