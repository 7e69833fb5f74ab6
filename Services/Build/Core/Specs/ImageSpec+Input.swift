import Contracts
import Images

extension ImageSpec {
    static let maxFiles = 10_000

    /// The spec `command` describes, or a validation refusal naming every bad field.
    public init(_ command: SaveImageSpec) throws(CommandError) {
        var fields: [String: String] = [:]
        func text(_ value: String, _ field: String, max: Int) {
            if let problem = ShortText.problem(value, max: max) { fields[field] = problem }
        }
        text(command.releaseKey, "releaseKey", max: 40)
        text(command.name, "name", max: 100)
        text(command.version, "version", max: 50)
        if command.targetClasses.count > 50 { fields["targetClasses"] = "at most 50 classes" }
        for (index, name) in command.targetClasses.enumerated() { text(name, "targetClasses[\(index)]", max: 60) }
        if command.files.isEmpty || command.files.count > Self.maxFiles {
            fields["files"] = "1 to \(Self.maxFiles) files"
        }
        var sources: [Source] = []
        var seen: Set<String> = []
        for (index, file) in command.files.prefix(Self.maxFiles).enumerated() {
            do {
                let path = try ImagePath(file.path)
                let from = try ImagePath(file.from)
                if !seen.insert(path.value).inserted { fields["files[\(index)].path"] = "is named twice" }
                sources.append(Source(path: path, from: from, executable: file.executable))
            } catch {
                fields["files[\(index)]"] = error.description
            }
        }
        guard fields.isEmpty else {
            throw CommandError(.validation, "the image spec has \(fields.count) problem(s)", rule: "images.spec", fields: fields)
        }
        self.init(name: command.name, version: command.version, releaseKey: command.releaseKey,
                  targetClasses: command.targetClasses, sources: sources)
    }

    /// A command naming a release by key: refused before it reaches SQL when malformed.
    public static func checkReleaseKey(_ key: String) throws(CommandError) {
        try ShortText.check(key, field: "releaseKey", max: 40, rule: "images.release_key")
    }
}
