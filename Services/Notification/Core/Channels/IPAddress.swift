import Glibc

/// An IPv4 or IPv6 address as bytes (4 or 16), and what kind of target it is.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let bytes: [UInt8]

    /// What a connection to an address reaches, as far as the URL policy cares.
    public enum Scope: Sendable, Equatable {
        case global, loopback, linkLocal, unspecified, multicast, reserved
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a literal the way the resolver does: IPv4 also in its legacy forms (`127.1`,
    /// `0x7f.0.0.1`, `2130706433`, which all reach 127.0.0.1), IPv6 with an optional zone
    /// (`fe80::1%eth0`). Nil for a host name.
    public init?(literal: String) {
        var v4 = in_addr()
        if inet_aton(literal, &v4) != 0 {
            self.bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return
        }
        let withoutZone = literal.split(separator: "%", maxSplits: 1).first.map(String.init) ?? literal
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, withoutZone, &v6) == 1 else { return nil }
        self.bytes = withUnsafeBytes(of: v6) { Array($0) }
    }

    public var scope: Scope {
        if bytes.count == 4 { return Self.scope(ofIPv4: bytes) }
        // IPv4-mapped (::ffff:a.b.c.d): what the IPv4 address is.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return Self.scope(ofIPv4: Array(bytes[12..<16]))
        }
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return .linkLocal }
        if bytes[0] == 0xff { return .multicast }
        return .global
    }

    private static func scope(ofIPv4 bytes: [UInt8]) -> Scope {
        switch bytes[0] {
        case 0: return .unspecified  // 0.0.0.0/8, "this network": Linux connects it to this host
        case 127: return .loopback
        case 169 where bytes[1] == 254: return .linkLocal
        case 224...239: return .multicast
        case 240...255: return bytes == [255, 255, 255, 255] ? .multicast : .reserved
        default: return .global
        }
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
