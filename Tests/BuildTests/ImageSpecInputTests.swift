import BuildCore
import Contracts
import Testing

/// `build.save_image_spec` input (issue 12, item 1): every field checked before anything is
/// stored, each problem named by its field.
@Suite("Image specs: what a user may send")
struct ImageSpecInputTests {
    static func command(
        name: String = "payroll", version: String = "4.2.0", classes: [String] = ["server"],
        files: [ImageSpecFileInput] = [.init(path: "install.sh", from: "install.sh", executable: true)]
    ) -> SaveImageSpec {
        SaveImageSpec(releaseKey: "REL-000002", name: name, version: version, targetClasses: classes, files: files)
    }

    static func refusal(_ command: SaveImageSpec) -> CommandError? {
        do {
            _ = try ImageSpec(command)
            return nil
        } catch {
            return error
        }
    }

    @Test("a good spec keeps its files, names and flags")
    func goodSpec() throws {
        let spec = try ImageSpec(Self.command(files: [
            .init(path: "install.sh", from: "scripts/install.sh", executable: true), .init(path: "bin/app", from: "out/app"),
        ]))
        #expect(spec.sources.map(\.path.value) == ["install.sh", "bin/app"])
        #expect(spec.sources.map(\.from.value) == ["scripts/install.sh", "out/app"])
        #expect(spec.sources.map(\.executable) == [true, false])
    }

    @Test("hostile and oversized fields are refused, each named")
    func hostileFields() {
        let cases: [(SaveImageSpec, String)] = [
            (Self.command(name: String(repeating: "n", count: 300)), "name"),
            (Self.command(name: ""), "name"),
            (Self.command(version: "4.2\u{0}"), "version"),
            (Self.command(classes: ["server\n"]), "targetClasses[0]"),
            (Self.command(classes: Array(repeating: "c", count: 51)), "targetClasses"),
            (Self.command(files: []), "files"),
            (Self.command(files: [.init(path: "../../etc/passwd", from: "install.sh")]), "files[0]"),
            (Self.command(files: [.init(path: "install.sh", from: "/etc/shadow")]), "files[0]"),
            (Self.command(files: [.init(path: "a", from: "a"), .init(path: "a", from: "b")]), "files[1].path"),
            (Self.command(files: Array(repeating: .init(path: "a", from: "a"), count: 10_001)), "files"),
        ]
        for (command, field) in cases {
            let refusal = Self.refusal(command)
            #expect(refusal?.kind == .validation, "\(field)")
            #expect(refusal?.rule == "images.spec")
            #expect(refusal?.fields?[field] != nil, "\(field): \(refusal?.fields ?? [:])")
            #expect(!(refusal?.message.contains("\u{0}") ?? false))
        }
    }
}
