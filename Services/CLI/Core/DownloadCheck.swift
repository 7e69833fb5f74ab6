/// Whether a downloaded archive is what the server said it is: the SHA-256 of the bytes
/// received against the digest header. Only a match may be put in place.
public enum DownloadCheck {
    /// Nil when `received` matches `announced`; else the line to print.
    public static func problem(announced: String?, received: String, size: Int64) -> String? {
        guard let announced, !announced.isEmpty else {
            return "the server sent no digest (X-Shipboard-SHA256); the download was discarded"
        }
        guard announced.lowercased() == received.lowercased() else {
            return "the download does not match its digest: expected \(announced.prefix(64)), received \(received) "
                + "(\(size) bytes); it was discarded"
        }
        return nil
    }
}
