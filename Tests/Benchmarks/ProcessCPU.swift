import Foundation
import Glibc

/// CPU time (user + system) a running child process has used so far, from /proc/PID/stat.
enum ProcessCPU {
    static func seconds(_ process: Process) throws -> Double {
        let path = "/proc/\(process.processIdentifier)/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let end = text.lastIndex(of: ")")
        else { throw BenchmarkError("cannot read \(path): has the process exited?") }
        // After "pid (comm)": state is field 3, so utime and stime (fields 14, 15) are at 11, 12.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchmarkError("unexpected \(path): \(text.prefix(200))")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
