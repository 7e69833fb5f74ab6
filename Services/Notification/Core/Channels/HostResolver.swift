import Glibc

/// Resolves a host name to its addresses with `getaddrinfo`, which blocks: each look-up runs
/// on a thread of `BlockingThreads.resolver`, never on Swift's cooperative pool. An IP
/// literal is its own address.
enum HostResolver {
    /// Every address `host` resolves to, or the resolver's message.
    static func addresses(of host: String) async -> Result<[IPAddress], ResolutionFailure> {
        if let literal = IPAddress(literal: host) { return .success([literal]) }
        do {
            return try await BlockingThreads.resolver.runIfActive { resolve(host) }
        } catch {
            return .failure(ResolutionFailure(message: "no thread for the look-up (the service is stopping)"))
        }
    }

    private static func resolve(_ host: String) -> Result<[IPAddress], ResolutionFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { return .failure(ResolutionFailure(message: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var found: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let v4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr
                    found += withUnsafeBytes(of: v4) { IPAddress(bytes: Array($0)) }.map { [$0] } ?? []
                case AF_INET6:
                    let v6 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_addr
                    found += withUnsafeBytes(of: v6) { IPAddress(bytes: Array($0)) }.map { [$0] } ?? []
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return .success(found)
    }
}

/// A failed look-up, with the resolver's own message (`gai_strerror`).
struct ResolutionFailure: Error {
    let message: String
}
