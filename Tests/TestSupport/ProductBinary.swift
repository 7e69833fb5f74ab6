import Foundation

/// An executable of this package, found next to the test bundle (built by `swift build --build-tests`).
public enum ProductBinary {
    public static func locate(_ name: String) throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw TestSettingsError(description: "\(name) not found next to the tests: build with swift build --build-tests")
    }
}
