import BuildCore
import Images
import Foundation

/// Issue 12's image build: a 200 MB image built by `ImageBuilder` in a child process of its
/// own (so its peak memory, VmHWM, is the build's alone), beside `tar --sort=name … | gzip -1`
/// plus `sha256sum` over the same files in the same run. Half the bytes are random (like
/// compiled code), half repeat (like text), in 40 files of 5 MB.
enum ImageBenchmarks {
    static let files = 40
    static let fileSize = 5 << 20
    static let childFlag = "--image-build-child"

    static func run(rounds: Int) async throws -> [BenchmarkRow] {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-image-bench-\(UUID().uuidString)")
        let root = folder + "/import"
        try FileManager.default.createDirectory(atPath: root + "/payload", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeInputs(root)
        var ours: [Double] = [], baseline: [Double] = [], peaks: [Double] = []
        for round in 0..<rounds {
            // Alternating order, so drift in the run falls on both sides.
            for side in round % 2 == 0 ? [true, false] : [false, true] {
                let store = folder + "/store-\(round)-\(side)"
                if side {
                    let (seconds, peakKB) = try child(root: root, store: store)
                    ours.append(seconds)
                    peaks.append(Double(peakKB) / 1024)
                } else {
                    baseline.append(try shellBaseline(root: root, output: store + ".tgz"))
                }
                try? FileManager.default.removeItem(atPath: store)
                try? FileManager.default.removeItem(atPath: store + ".tgz")
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let megabytes = Double(files * fileSize) / 1_048_576
        let (verifyRate, sha256sumRate) = try verifyAllRates(folder: folder, rounds: rounds)
        return [
            BenchmarkRow(name: "build a \(Int(megabytes)) MB image (median of \(rounds))", value: median(ours), unit: "s",
                         baselineName: "tar --sort=name | gzip -1, then sha256sum", baseline: median(baseline), target: nil),
            BenchmarkRow(name: "image build ÷ tar|gzip -1 + sha256sum", value: median(ours) / median(baseline), unit: "",
                         baselineName: "-", baseline: nil, target: 1.2, targetIsMaximum: true),
            BenchmarkRow(name: "image build peak memory (VmHWM, worst)", value: peaks.max() ?? 0, unit: "MB",
                         baselineName: "-", baseline: nil, target: 64, targetIsMaximum: true),
            BenchmarkRow(name: "DML verify-all, 4 archives of 50 MB", value: verifyRate, unit: "MB/s",
                         baselineName: "sha256sum over the same files", baseline: sha256sumRate, target: nil),
            BenchmarkRow(name: "DML verify-all ÷ sha256sum", value: verifyRate / sha256sumRate, unit: "",
                         baselineName: "-", baseline: nil, target: 0.8),
        ]
    }

    /// `DirectoryImageStore.verifyAll` over 200 MB of stored archives, and `sha256sum` over
    /// the same files, alternating; the medians in MB/s.
    private static func verifyAllRates(folder: String, rounds: Int) throws -> (Double, Double) {
        let store = try DirectoryImageStore(root: folder + "/dml")
        var random = SeededRandom(seed: 80)
        for index in 0..<4 {
            var bytes = [UInt8](repeating: 0, count: 50 << 20)
            bytes.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for word in words.indices { words[word] = random.next() }
            }
            let source = folder + "/verify-\(index).bin"
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            _ = try store.add(fileAt: source, expected: nil)
            try FileManager.default.removeItem(atPath: source)
        }
        let megabytes = 200.0
        var ours: [Double] = [], theirs: [Double] = []
        for _ in 0..<rounds {
            var started = ContinuousClock.now
            let broken = try store.verifyAll()
            guard broken.isEmpty else { throw BenchmarkError("verify-all found \(broken.count) broken archives") }
            ours.append(megabytes / GatewayBenchmarks.seconds(since: started))
            started = ContinuousClock.now
            _ = try runProcess("/bin/bash", ["-c", "sha256sum \"$1\"/*.tar.gz > /dev/null", "sha", store.root])
            theirs.append(megabytes / GatewayBenchmarks.seconds(since: started))
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        return (median(ours), median(theirs))
    }

    /// In the child: builds the image of every file under `root` and prints its time and peak memory.
    static func childMain(_ arguments: [String]) throws -> Never {
        guard arguments.count == 2 else { print("usage: \(childFlag) ROOT STORE"); exit(2) }
        let root = arguments[0]
        let names = try FileManager.default.subpathsOfDirectory(atPath: root).filter { name in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &folder) && !folder.boolValue
        }
        let spec = ImageSpec(
            name: "bench", version: "1.0.0", releaseKey: "REL-000001", targetClasses: ["server"],
            sources: try names.map { .init(path: try ImagePath($0), from: try ImagePath($0), executable: $0.hasSuffix(".sh")) })
        let started = ContinuousClock.now
        let built = try ImageBuilder(importRoot: try ImportRoot(root), store: arguments[1], sizeLimit: 1 << 40).build(spec)
        let seconds = GatewayBenchmarks.seconds(since: started)
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? "0"
        print("seconds=\(seconds) peak_kb=\(peak) sha256=\(built.sha256)")
        exit(0)
    }

    private static func child(root: String, store: String) throws -> (Double, Int) {
        let output = try runProcess(CommandLine.arguments[0], [childFlag, root, store])
        var values: [String: String] = [:]
        for pair in output.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let seconds = values["seconds"].flatMap(Double.init), let peak = values["peak_kb"].flatMap(Int.init) else {
            throw BenchmarkError("the image build child said: \(output)")
        }
        return (seconds, peak)
    }

    private static func shellBaseline(root: String, output: String) throws -> Double {
        let script = """
            set -e
            tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$1" . | gzip -1 > "$2"
            cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null
            """
        let started = ContinuousClock.now
        _ = try runProcess("/bin/bash", ["-c", script, "baseline", root, output])
        return GatewayBenchmarks.seconds(since: started)
    }

    private static func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("\(executable) exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// install.sh, backout.sh and the payload: random halves and repeating halves.
    private static func writeInputs(_ root: String) throws {
        try Data("#!/bin/sh\ncp -r payload \"$SHIPBOARD_TARGET_ROOT/\"\n".utf8).write(to: URL(fileURLWithPath: root + "/install.sh"))
        try Data("#!/bin/sh\nrm -rf \"$SHIPBOARD_TARGET_ROOT/payload\"\n".utf8).write(to: URL(fileURLWithPath: root + "/backout.sh"))
        var random = SeededRandom(seed: 12)
        let text = Array("release \(UUID().uuidString) shipboard payroll configuration line\n".utf8)
        for index in 0..<files {
            var bytes = [UInt8](repeating: 0, count: fileSize)
            if index % 2 == 0 {
                for offset in stride(from: 0, to: fileSize, by: 8) {
                    withUnsafeBytes(of: random.next()) { word in
                        for byte in 0..<min(8, fileSize - offset) { bytes[offset + byte] = word[byte] }
                    }
                }
            } else {
                for offset in 0..<fileSize { bytes[offset] = text[offset % text.count] }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: root + "/payload/part-\(index).bin"))
        }
    }
}
