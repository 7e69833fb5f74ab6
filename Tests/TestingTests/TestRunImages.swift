import BuildCore
import Foundation
import Images

/// Images for test-run tests, built by shipboard-build's own ``ImageBuilder`` into a store
/// folder: a passing image, and variants where one script misbehaves.
enum TestRunImages {
    /// A fresh folder under the system's temporary folder, removed afterwards.
    static func withFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-testing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(folder)
    }

    /// Installs a config file under `opt/app`, verifies it, and backs it out completely.
    static let passing: [String: String] = [
        "install.sh": "#!/bin/sh\nset -e\nmkdir -p \"$SHIPBOARD_TARGET_ROOT/opt/app\"\ncp payload/app.conf \"$SHIPBOARD_TARGET_ROOT/opt/app/\"\necho installed\n",
        "backout.sh": "#!/bin/sh\nrm -rf \"$SHIPBOARD_TARGET_ROOT/opt\"\n",
        "verify.sh": "#!/bin/sh\ntest -f \"$SHIPBOARD_TARGET_ROOT/opt/app/app.conf\"\n",
        "tests/10-config.sh": "#!/bin/sh\ngrep -q threads \"$SHIPBOARD_TARGET_ROOT/opt/app/app.conf\"\n",
        "tests/README.md": "Not a script: never run.\n",
        "payload/app.conf": "threads = 4\n",
    ]

    /// `passing` with `changes` applied (nil removes a file).
    static func variant(_ changes: [String: String?]) -> [String: String] {
        var files = passing
        for (name, content) in changes { files[name] = content ?? nil }
        return files
    }

    /// Builds `files` (`.sh` files executable) as release `releaseKey`'s image into `store`.
    static func build(_ files: [String: String], releaseKey: String, in folder: String, store: String) throws -> ImageBuilder.Built {
        let importRoot = folder + "/import-\(UUID().uuidString.prefix(8))"
        for (name, content) in files {
            let path = importRoot + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        }
        let spec = ImageSpec(
            name: "payroll", version: "4.2.0", releaseKey: releaseKey, targetClasses: ["server"],
            sources: try files.keys.sorted().map { .init(path: try ImagePath($0), from: try ImagePath($0), executable: $0.hasSuffix(".sh")) })
        return try ImageBuilder(importRoot: try ImportRoot(importRoot), store: store, sizeLimit: 1 << 30).build(spec)
    }
}
