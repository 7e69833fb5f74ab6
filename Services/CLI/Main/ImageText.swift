import CLICore
import Foundation
import GatewayAPI

/// How image answers read in a terminal.
enum ImageText {
    static func show(_ image: Components.Schemas.ReleaseImage) -> String {
        var text = ""
        if let spec = image.spec {
            text += FieldList([
                ("release", image.releaseKey), ("image", "\(spec.name)@\(spec.version)"),
                ("target classes", spec.targetClasses.isEmpty ? nil : spec.targetClasses.joined(separator: ", ")),
                ("revision", "\(spec.revision) (saved by \(spec.savedBy) \(DateText.timestamp(spec.savedAt)))"),
            ]).text
            text += "\n" + TextTable(
                header: ["PATH", "FROM", "RUNS"], rows: spec.files.map { [$0.path, $0.from, $0.executable ? "yes" : ""] }).text
        } else {
            text += "\(image.releaseKey) has no image spec yet (shipboard image spec \(image.releaseKey) …)\n"
        }
        guard !image.builds.isEmpty else { return text + "\nno builds yet\n" }
        text += "\n" + TextTable(header: ["BUILD", "TASK", "OUTCOME", "SIZE", "SHA-256 / REASON", "FINISHED"], rows: image.builds.map { build in
            [String(build.id), build.taskKey, build.outcome.rawValue, build.size.map(ByteSize.text) ?? "",
             build.sha256 ?? build.reason ?? "", DateText.timestamp(build.finishedAt)]
        }).text
        return text
    }

    static func uploaded(_ upload: Components.Schemas.ArtifactUploaded) -> String {
        FieldList([("uploaded", upload.path), ("from", upload.from), ("size", ByteSize.text(upload.size)), ("sha256", upload.sha256)]).text
    }
}
