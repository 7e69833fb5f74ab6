/// The version `shipboard --version` prints: the API version it was built against, the
/// `info.version` of Services/Gateway/API/openapi.json. The CLI cannot read ServiceKit's
/// `ShipboardVersion` (it depends on no server module) and must not read the document from a
/// resource bundle at run time (an installed binary may have none), so the number is written
/// here once and `CLIVersionTests` fails when it and the document disagree.
public enum CLIVersion {
    public static let current = "0.9.0"
}
