import Glibc

/// A failed socket call of the fault harness, with the call and its errno.
public struct SocketError: Error, CustomStringConvertible {
    /// The system call that failed (`bind`, `connect`…).
    public let operation: String
    /// `errno` after the call.
    public let code: Int32

    /// A failure of `operation` with `code` (`errno`, or 0 for "closed by the peer").
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// Small wrappers over the BSD socket calls the proxy needs (IPv4 only: the harness
/// listens on loopback or on a veth address it made).
enum Socket {
    /// `host` (an IPv4 literal or `localhost`) and `port` as a `sockaddr_in`.
    static func address(_ host: String, _ port: Int) throws(SocketError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, literal, &address.sin_addr) == 1 else { throw SocketError(operation: "inet_pton(\(host))", code: EINVAL) }
        return address
    }

    /// A non-blocking, close-on-exec TCP socket.
    static func make() throws(SocketError) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "socket", code: errno) }
        return descriptor
    }

    /// A listening socket on `host:port` (0 = any free port); returns it and its port.
    static func listen(_ host: String, _ port: Int) throws(SocketError) -> (descriptor: Int32, port: Int) {
        var address = try address(host, port)
        let descriptor = try make()
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 128) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw SocketError(operation: "bind/listen \(host):\(port)", code: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// Starts a non-blocking connect; true when it completed at once, false when in progress.
    static func connect(_ descriptor: Int32, to address: sockaddr_in) throws(SocketError) -> Bool {
        var address = address
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return true }
        guard errno == EINPROGRESS else { throw SocketError(operation: "connect", code: errno) }
        return false
    }

    /// The pending error of a socket (`SO_ERROR`), 0 when a connect succeeded.
    static func pendingError(_ descriptor: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length)
        return code
    }

    /// Closes with an RST instead of a FIN (`SO_LINGER` with a zero timeout): the peer
    /// sees "connection reset by peer".
    static func reset(_ descriptor: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(descriptor)
    }
}
