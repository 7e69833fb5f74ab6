import CLICore
import Foundation
import Testing

@Suite("CLI version")
struct CLIVersionTests {
    @Test("shipboard --version is the info.version of the API document it was built against")
    func matchesDocument() throws {
        let document = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Services/Gateway/API/openapi.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: document)) as? [String: Any]
        let info = object?["info"] as? [String: Any]
        #expect(info?["version"] as? String == CLIVersion.current)
    }
}
