/// The format of a `ci import` file when `--format` is not given: from its extension.
public enum ImportFormat {
    public static let formats = ["csv", "json"]

    public static func infer(fromPath path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        return formats.contains(ext) ? ext : nil
    }

    /// The API's limit on the document's text (`CIImport.content`, 5 MiB).
    public static let maximumBytes = 5_242_880
}
