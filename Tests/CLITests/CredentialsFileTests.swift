import CLICore
import Foundation
import Testing

@Suite("CLI credentials file")
struct CredentialsFileTests {
    func scratch() -> String {
        NSTemporaryDirectory() + "shipboard-cli-tests-\(UUID().uuidString)"
    }

    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("written 0600 in new directories made 0700, read back, replaced whole")
    func roundTrip() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/config/shipboard/credentials"
        try CredentialsFile.write(StoredCredentials(url: "http://h:1", token: "sbt_one"), to: path)
        #expect(try mode(path) == 0o600)
        #expect(try mode(root + "/config/shipboard") == 0o700)
        #expect(try mode(root + "/config") == 0o700)
        try CredentialsFile.write(StoredCredentials(url: "http://h:2", token: "sbt_two"), to: path)
        #expect(try CredentialsFile.read(at: path) == StoredCredentials(url: "http://h:2", token: "sbt_two"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/config/shipboard") == ["credentials"])
        #expect(try mode(path) == 0o600)
    }

    @Test("an existing directory keeps its mode; a loose old file is tightened")
    func existingDirectory() throws {
        let root = scratch()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/credentials"
        FileManager.default.createFile(atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644])
        try CredentialsFile.write(StoredCredentials(url: "http://h:1", token: "t"), to: path)
        #expect(try mode(root) == 0o755)
        #expect(try mode(path) == 0o600)
    }

    @Test("no file is nil; a file that is not credentials is a clear failure")
    func missingAndMalformed() throws {
        let root = scratch()
        #expect(try CredentialsFile.read(at: root + "/none") == nil)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: root + "/bad", contents: Data("token=x".utf8))
        #expect(throws: CredentialsFile.Failure.self) { try CredentialsFile.read(at: root + "/bad") }
    }
}
