import Glibc

/// Loopback sockets for the tests' servers.
enum Loopback {
    struct Failure: Error {
        let call: String
        let errno: Int32
    }

    /// A socket on `127.0.0.1:<free port>` that listens and never accepts: connections
    /// complete (the kernel's backlog) and no byte is ever answered. The caller closes it.
    static func silentListener() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ready else {
            close(descriptor)
            throw Failure(call: "bind/listen", errno: errno)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port that was free a moment ago, for a server that must be told its port.
    static func freePort() throws -> Int {
        let (descriptor, port) = try silentListener()
        close(descriptor)
        return port
    }
}
