import Foundation
import Glibc
import ShipboardTestSupport

/// A blocking TCP client socket for the harness tests: sends and reads text lines, with
/// a receive timeout so that a blackholed path shows up as `EAGAIN`, not a hang.
/// Holds only its descriptor; the tests use it from one task at a time.
struct LineSocket: Sendable {
    let descriptor: Int32

    /// Connects to `host:port` (blocking, at most `timeout` seconds).
    static func connect(_ host: String, _ port: Int, timeout: Int = 5) async throws -> LineSocket {
        try await offPool {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw SocketError(operation: "socket", code: errno) }
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                let code = errno
                Glibc.close(descriptor)
                throw SocketError(operation: "connect", code: code)
            }
            return LineSocket(descriptor: descriptor)
        }
    }

    /// Sends `line` and a newline.
    func send(_ line: String) async throws {
        let bytes = Array((line + "\n").utf8)
        try await offPool {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw SocketError(operation: "send", code: errno) }
                offset += sent
            }
        }
    }

    /// Reads `count` lines, waiting at most `timeout` for each chunk of bytes.
    func readLines(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        let (seconds, attoseconds) = timeout.components
        return try await offPool {
            var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var text = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while text.filter({ $0 == 10 }).count < count {
                let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if received == 0 { throw SocketError(operation: "recv (closed by peer)", code: 0) }
                guard received > 0 else { throw SocketError(operation: "recv", code: errno) }
                text += buffer[0..<received]
            }
            return String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Sends `line` and waits for it to come back.
    func roundTrip(_ line: String, timeout: Duration = .seconds(10)) async throws -> String {
        try await send(line)
        return try await readLines(1, timeout: timeout).first ?? ""
    }

    func close() {
        Glibc.close(descriptor)
    }
}
