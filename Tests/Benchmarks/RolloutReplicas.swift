import Foundation
import Glibc

/// `shipboard-rollout` replicas (the release build beside this benchmark's binary) as
/// separate processes on the benchmark database and vhost, each with a name of its own, in
/// the worker pool `bench` serving only the benchmark release's sites (so its deploy jobs go
/// to `rollout.deploy.bench`, which no other replica consumes).
final class RolloutReplicas {
    struct Memory {
        var startKiB = 0
        var peakKiB = 0
        var endKiB = 0
        /// The kernel's high-water mark of the resident set (`VmHWM`) at the end.
        var highWaterKiB = 0
    }

    let names: [String]
    let processes: [Process]
    private(set) var memory: [Memory]
    private var cpuAtStart: [Double] = []

    /// Starts `count` replicas named `<prefix>-1` … with `settings` on top of the shared ones;
    /// their log (warnings and errors, standard output and error) goes to `logFolder/<name>.log`.
    init(count: Int, prefix: String, settings: [String: String], logFolder: String) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("shipboard-rollout")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkError("\(binary.path) is missing: build it with swift build -c release --product shipboard-rollout")
        }
        names = (1...count).map { "\(prefix)-\($0)" }
        var processes: [Process] = []
        for name in names {
            var environment = ProcessInfo.processInfo.environment
            environment.merge(settings) { _, setting in setting }
            environment["SHIPBOARD_ROLLOUT_REPLICA"] = name
            let process = Process()
            process.executableURL = binary
            process.environment = environment
            let log = logFolder + "/\(name).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = output
            process.standardError = output
            do {
                try process.run()
            } catch {
                for started in processes { kill(started.processIdentifier, SIGKILL) }
                throw error
            }
            processes.append(process)
        }
        self.processes = processes
        memory = Array(repeating: Memory(), count: count)
    }

    /// Marks the start of the measured run: resident sets and CPU time from here on.
    func markStart() throws {
        for index in processes.indices {
            let rss = try Self.statusKiB(processes[index], "VmRSS")
            memory[index] = Memory(startKiB: rss, peakKiB: rss, endKiB: rss)
        }
        cpuAtStart = try processes.map { try ProcessCPU.seconds($0) }
    }

    /// Reads every replica's resident set once (called every few hundred milliseconds).
    func sample() throws {
        for index in processes.indices {
            let rss = try Self.statusKiB(processes[index], "VmRSS")
            memory[index].peakKiB = max(memory[index].peakKiB, rss)
            memory[index].endKiB = rss
        }
    }

    /// The end of the measured run: last resident sets, high-water marks, and the CPU time
    /// each replica used since ``markStart()``.
    func markEnd() throws -> [Double] {
        try sample()
        for index in processes.indices {
            memory[index].highWaterKiB = try Self.statusKiB(processes[index], "VmHWM")
        }
        return try zip(processes, cpuAtStart).map { try ProcessCPU.seconds($0) - $1 }
    }

    var allRunning: Bool { processes.allSatisfy(\.isRunning) }

    /// SIGTERM (graceful shutdown), then SIGKILL for any still running after 15 s.
    func stop() {
        for process in processes where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(15)
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(50_000) }
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A `kB` line of `/proc/PID/status` (`VmRSS`, `VmHWM`).
    static func statusKiB(_ process: Process, _ field: String) throws -> Int {
        let path = "/proc/\(process.processIdentifier)/status"
        guard process.isRunning, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchmarkError("cannot read \(path): the replica exited (\(process.isRunning ? "running" : "status \(process.terminationStatus)"))")
        }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            // "VmRSS:\t  123456 kB"
            if let value = Int(line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first ?? "") { return value }
        }
        throw BenchmarkError("\(path) has no \(field) line")
    }
}

/// CPU time (user + system) of every process on the machine with a given command name
/// (`postgres`, `beam.smp`), from `/proc/*/stat`: where the cores went during a run. Per
/// process, so one that exits during the run (another test's broker) subtracts nothing.
enum MachineCPU {
    struct Sample {
        let command: String
        let seconds: [Int32: Double]
    }

    static func sample(command: String) -> Sample {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [Int32: Double] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let text = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
                  text[text.index(after: open)..<close] == command
            else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            seconds[pid] = (user + system) / ticks
        }
        return Sample(command: command, seconds: seconds)
    }

    /// CPU time used since `earlier` by the processes running now (those started since count from zero).
    static func seconds(since earlier: Sample) -> Double {
        sample(command: earlier.command).seconds.reduce(0) { total, entry in total + entry.value - (earlier.seconds[entry.key] ?? 0) }
    }
}
