import BuildCore
import Foundation
import Images
import RolloutCore

/// Real images for the deploy-driver tests, built by shipboard-build's ``ImageBuilder``, and
/// the attempt that deploys one to a target.
enum DriverImages {
    /// A deploy image that installs `opt/app/app.conf`, verifies it and backs it out completely.
    static let passing: [String: String] = [
        "install.sh": "#!/bin/sh\nset -e\nmkdir -p \"$SHIPBOARD_TARGET_ROOT/opt/app\"\ncp payload/app.conf \"$SHIPBOARD_TARGET_ROOT/opt/app/\"\necho installed on $SHIPBOARD_TARGET_CI\n",
        "verify.sh": "#!/bin/sh\ngrep -q threads \"$SHIPBOARD_TARGET_ROOT/opt/app/app.conf\"\n",
        "backout.sh": "#!/bin/sh\nrm -rf \"$SHIPBOARD_TARGET_ROOT/opt/app\"\nrmdir \"$SHIPBOARD_TARGET_ROOT/opt\" 2>/dev/null || true\n",
        "payload/app.conf": "threads = 4\n",
    ]

    /// A fresh folder for one test, removed afterwards.
    static func withFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-rollout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(folder)
    }

    /// `passing` with `changes` (nil removes a file), built into `<folder>/store`; the attempt
    /// deploying it to `ciKey` at site `FRA1`.
    static func attempt(in folder: String, ciKey: String = "CI-SRV-0001", changes: [String: String?] = [:]) throws -> DeployAttempt {
        var files = passing
        for (name, content) in changes { files[name] = content ?? nil }
        let sources = folder + "/sources-\(UUID().uuidString.prefix(8))"
        for (name, content) in files {
            let path = sources + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        }
        let spec = ImageSpec(
            name: "payroll", version: "4.2.0", releaseKey: "REL-000042", targetClasses: ["server"],
            sources: try files.keys.sorted().map { .init(path: try ImagePath($0), from: try ImagePath($0), executable: $0.hasSuffix(".sh")) })
        let built = try ImageBuilder(importRoot: try ImportRoot(sources), store: folder + "/store", sizeLimit: 1 << 30).build(spec)
        return DeployAttempt(
            image: DeployImage(archive: built.path, sha256: built.sha256, name: "payroll", version: "4.2.0", releaseKey: "REL-000042"),
            target: DeployTarget(ciKey: ciKey, site: "FRA1", attributes: ["host": "srv1.fra1.example"]),
            rolloutID: "7f1c2a9e-0000-4000-8000-000000000001", taskKey: "REL-000042-RO-001", attempt: 1)
    }
}
