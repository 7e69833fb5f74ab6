@testable import CLICore
import Testing

@Suite("CLI image, test and DML arguments")
struct ImageArgumentTests {
    @Test("NAME@VERSION splits at the last @; both parts are needed")
    func coordinates() {
        #expect(DMLCoordinate("payroll@4.2.0")?.name == "payroll")
        #expect(DMLCoordinate("payroll@4.2.0")?.version == "4.2.0")
        #expect(DMLCoordinate("@corp/payroll@1.0")?.name == "@corp/payroll")
        #expect(DMLCoordinate("@corp/payroll@1.0")?.version == "1.0")
        #expect(DMLCoordinate("payroll@4.2.0")?.description == "payroll@4.2.0")
    }

    @Test("a coordinate without a name, a version or an @, too long, or with a control character is refused", arguments: [
        "payroll", "payroll@", "@4.2.0", "", "pay\u{0}roll@1", "payroll@1\n", String(repeating: "n", count: 101) + "@1",
        "payroll@" + String(repeating: "9", count: 51),
    ])
    func badCoordinates(text: String) {
        #expect(DMLCoordinate(text) == nil)
    }

    @Test("the default archive name never leaves the current folder")
    func archiveFileName() {
        #expect(DMLCoordinate("payroll@4.2.0")?.archiveFileName == "payroll-4.2.0.tar.gz")
        #expect(DMLCoordinate("../../etc/passwd@1")?.archiveFileName == "_._.._etc_passwd-1.tar.gz")
        #expect(DMLCoordinate("a/b@c d")?.archiveFileName == "a_b-c_d.tar.gz")
    }

    @Test("--file PATH=FROM, and PATH=FROM:x for a file that runs")
    func specFiles() {
        #expect(SpecFileArgument("install.sh=uploads/REL-000001/install.sh:x")
                == SpecFileArgument(path: "install.sh", from: "uploads/REL-000001/install.sh", executable: true))
        #expect(SpecFileArgument("bin/app=build/app") == SpecFileArgument(path: "bin/app", from: "build/app", executable: false))
        // Only the first = separates: a source may hold one.
        #expect(SpecFileArgument("a=b=c")?.from == "b=c")
    }

    @Test("a --file without both sides is refused", arguments: ["install.sh", "=from", "path=", "path=:x", ""])
    func badSpecFiles(text: String) {
        #expect(SpecFileArgument(text) == nil)
    }

    @Test("sizes in binary units with one decimal")
    func sizes() {
        #expect(ByteSize.text(0) == "0 B")
        #expect(ByteSize.text(1023) == "1023 B")
        #expect(ByteSize.text(1536) == "1.5 KiB")
        #expect(ByteSize.text(200 << 20) == "200.0 MiB")
        #expect(ByteSize.text(3 << 30) == "3.0 GiB")
        #expect(ByteSize.text(5000 << 30) == "5000.0 GiB")
    }

    @Test("a download is kept only when its SHA-256 matches the announced digest (any case)")
    func downloadCheck() {
        let digest = String(repeating: "ab", count: 32)
        #expect(DownloadCheck.problem(announced: digest.uppercased(), received: digest, size: 3) == nil)
        #expect(DownloadCheck.problem(announced: String(repeating: "cd", count: 32), received: digest, size: 3)?
            .contains("does not match") == true)
        #expect(DownloadCheck.problem(announced: nil, received: digest, size: 3)?.contains("no digest") == true)
        #expect(DownloadCheck.problem(announced: "", received: digest, size: 3)?.contains("no digest") == true)
    }
}
