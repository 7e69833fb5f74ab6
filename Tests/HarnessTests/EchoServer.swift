import Foundation
import Glibc
import ShipboardTestSupport

/// A line-echo server on 127.0.0.1 (a free port) for the proxy and namespace tests: every
/// connection gets its own thread that writes back what it reads. ``stop()`` closes the
/// listener; connections end when their clients close them.
struct EchoServer: Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw SocketError(operation: "bind", code: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = descriptor
        Thread.detachNewThread {
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }  // listener closed
                Thread.detachNewThread { Self.echo(connection) }
            }
        }
    }

    private static func echo(_ connection: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { break }
            let sent = buffer.withUnsafeBytes { send(connection, $0.baseAddress, received, Int32(MSG_NOSIGNAL)) }
            guard sent == received else { break }
        }
        close(connection)
    }

    /// Stops accepting (shutdown wakes the accept loop; close frees the port).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
