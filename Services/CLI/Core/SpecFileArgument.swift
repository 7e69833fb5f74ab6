/// One file of an image spec as `--file` gives it: `PATH=FROM`, or `PATH=FROM:x` for a file
/// that runs (an install script). PATH is the file's name in the image, FROM its source
/// under the build service's import root (e.g. the `from` that `shipboard image upload`
/// printed). The server checks both paths; here only the shape is.
public struct SpecFileArgument: Sendable, Equatable {
    public let path: String
    public let from: String
    public let executable: Bool

    public init?(_ text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let path = String(text[..<equals])
        var from = String(text[text.index(after: equals)...])
        let executable = from.hasSuffix(":x")
        if executable { from.removeLast(2) }
        guard !path.isEmpty, !from.isEmpty else { return nil }
        self.path = path
        self.from = from
        self.executable = executable
    }

    public init(path: String, from: String, executable: Bool) {
        self.path = path
        self.from = from
        self.executable = executable
    }
}
