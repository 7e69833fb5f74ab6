import Contracts
import Images

/// The `manifest` step's rules: what a manifest must be for its image's scripts to be run.
/// Each problem is worded for the person who fixes the image spec and builds again.
public enum ManifestSchema {
    /// Everything wrong with `manifest` as the image of release `releaseKey`; empty when it is fine.
    public static func problems(_ manifest: ImageManifest?, releaseKey: String) -> [String] {
        guard let manifest else { return ["the image has no readable manifest.json"] }
        var problems: [String] = []
        if manifest.format != ImageManifest.formatVersion {
            problems.append("manifest format \(manifest.format) is not supported (this service reads format \(ImageManifest.formatVersion))")
        }
        if !isShortText(manifest.name, max: 100) { problems.append("the image name must be 1 to 100 characters without control characters") }
        if !isShortText(manifest.version, max: 50) { problems.append("the image version must be 1 to 50 characters without control characters") }
        if manifest.releaseKey != releaseKey {
            problems.append("the image was built for release '\(ImagePath.printable(manifest.releaseKey, limit: 40))', not \(releaseKey)")
        }
        var seen: Set<String> = []
        for file in manifest.files {
            let shown = ImagePath.printable(file.path, limit: 80)
            do {
                _ = try ImagePath(file.path)
            } catch {
                problems.append("a listed file is refused: \(error)")
                continue
            }
            if file.path == ImageManifest.entryName { problems.append("the manifest lists itself") }
            if !seen.insert(file.path).inserted { problems.append("'\(shown)' is listed twice") }
            if file.size < 0 || file.size > UstarHeader.maxFileSize { problems.append("'\(shown)' has an impossible size \(file.size)") }
            if ImageDigest(file.sha256) == nil { problems.append("'\(shown)' has no valid SHA-256 (64 lowercase hex digits)") }
        }
        for (script, required) in [(TestStep.installScript, true), (TestStep.backoutScript, true), (TestStep.verifyScript, false)] {
            guard let file = manifest.files.first(where: { $0.path == script }) else {
                if required { problems.append("the image has no \(script) at its root: add it to the image spec") }
                continue
            }
            if !file.executable { problems.append("\(script) is not executable: mark it executable in the image spec") }
        }
        return problems
    }

    private static func isShortText(_ text: String, max: Int) -> Bool {
        ShortText.problem(text, max: max) == nil
    }
}
