import Foundation
import Glibc
import ShipboardTestSupport

/// Just enough AMQP 0-9-1 to see what a broker alarm does to a publisher, independent of
/// the AMQP wrapper under test: log in announcing the `connection.blocked` capability,
/// open channel 1, publish one message, and read method frames.
/// Holds only its descriptor; the tests use it from one task at a time.
struct RawAMQPConnection: Sendable {
    /// An AMQP method: class and method ids, and the raw arguments.
    struct Method: Sendable, Equatable {
        var classID: UInt16
        var methodID: UInt16
        var arguments: [UInt8]

        /// The first short-string argument (e.g. the reason of `connection.blocked`).
        var firstShortString: String? {
            guard let length = arguments.first.map(Int.init), arguments.count > length else { return nil }
            return String(decoding: arguments[1...length], as: UTF8.self)
        }
    }

    let socket: LineSocket

    /// Connects and logs in to the broker of `url` (amqp://user:password@host:port/vhost).
    static func open(url: String) async throws -> RawAMQPConnection {
        guard let parts = URLComponents(string: url), let host = parts.host, let port = parts.port,
              let user = parts.user, let password = parts.password
        else { throw TestSettingsError(description: "not an amqp URL with credentials") }
        let vhost = String(parts.path.dropFirst())
        let connection = RawAMQPConnection(socket: try await LineSocket.connect(host, port))
        try await connection.write(Array("AMQP".utf8) + [0, 0, 9, 1])
        _ = try await connection.expect(classID: 10, methodID: 10)  // start
        var properties = Encoder()
        properties.shortString("capabilities")
        properties.byte(UInt8(ascii: "F"))
        var capabilities = Encoder()
        capabilities.shortString("connection.blocked")
        capabilities.byte(UInt8(ascii: "t"))
        capabilities.byte(1)
        properties.longBytes(capabilities.bytes)
        var startOK = Encoder()
        startOK.longBytes(properties.bytes)
        startOK.shortString("PLAIN")
        startOK.longBytes([0] + Array(user.utf8) + [0] + Array(password.utf8))
        startOK.shortString("en_US")
        try await connection.send(classID: 10, methodID: 11, startOK.bytes)
        let tune = try await connection.expect(classID: 10, methodID: 30)
        var tuneOK = Encoder()
        tuneOK.bytes += tune.arguments.prefix(6)  // channel-max, frame-max as offered
        tuneOK.short(0)  // no heartbeats
        try await connection.send(classID: 10, methodID: 31, tuneOK.bytes)
        var open = Encoder()
        open.shortString(vhost)
        open.shortString("")
        open.byte(0)
        try await connection.send(classID: 10, methodID: 40, open.bytes)
        _ = try await connection.expect(classID: 10, methodID: 41)
        try await connection.send(classID: 20, methodID: 10, [0], channel: 1)  // channel.open
        _ = try await connection.expect(classID: 20, methodID: 11)
        return connection
    }

    /// Publishes `body` to the default exchange with an unroutable key (the broker drops it).
    func publish(_ body: [UInt8]) async throws {
        var publish = Encoder()
        publish.short(0)
        publish.shortString("")
        publish.shortString("shipboard.harness.nowhere")
        publish.byte(0)
        var header = Encoder()
        header.short(60)
        header.short(0)
        header.bytes += withUnsafeBytes(of: UInt64(body.count).bigEndian, Array.init)
        header.short(0)  // no properties
        try await write(
            Self.frame(type: 1, channel: 1, Self.methodPayload(60, 40, publish.bytes))
                + Self.frame(type: 2, channel: 1, header.bytes) + Self.frame(type: 3, channel: 1, body))
    }

    /// The next method frame (other frames are skipped), waiting at most `timeout`.
    func nextMethod(timeout: Duration = .seconds(10)) async throws -> Method {
        while true {
            let head = try await read(7, timeout: timeout)
            let size = Int(head[3]) << 24 | Int(head[4]) << 16 | Int(head[5]) << 8 | Int(head[6])
            let payload = try await read(size + 1, timeout: timeout)
            guard head[0] == 1, payload.count >= 5 else { continue }
            return Method(
                classID: UInt16(payload[0]) << 8 | UInt16(payload[1]), methodID: UInt16(payload[2]) << 8 | UInt16(payload[3]),
                arguments: Array(payload[4..<size]))
        }
    }

    func close() { socket.close() }

    private func expect(classID: UInt16, methodID: UInt16) async throws -> Method {
        let method = try await nextMethod()
        guard method.classID == classID, method.methodID == methodID else {
            throw TestSettingsError(description: "expected AMQP method \(classID).\(methodID), got \(method.classID).\(method.methodID)")
        }
        return method
    }

    private func send(classID: UInt16, methodID: UInt16, _ arguments: [UInt8], channel: UInt16 = 0) async throws {
        try await write(Self.frame(type: 1, channel: channel, Self.methodPayload(classID, methodID, arguments)))
    }

    private static func methodPayload(_ classID: UInt16, _ methodID: UInt16, _ arguments: [UInt8]) -> [UInt8] {
        var payload = Encoder()
        payload.short(classID)
        payload.short(methodID)
        return payload.bytes + arguments
    }

    private static func frame(type: UInt8, channel: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var frame = Encoder()
        frame.byte(type)
        frame.short(channel)
        frame.bytes += withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init)
        return frame.bytes + payload + [0xCE]
    }

    private func write(_ bytes: [UInt8]) async throws {
        let descriptor = socket.descriptor
        try await offPool {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw SocketError(operation: "send", code: errno) }
                offset += sent
            }
        }
    }

    private func read(_ count: Int, timeout: Duration) async throws -> [UInt8] {
        let descriptor = socket.descriptor
        let (seconds, attoseconds) = timeout.components
        return try await offPool {
            var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var bytes = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let received = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + filled, count - filled, 0) }
                if received == 0 { throw SocketError(operation: "recv (closed by the broker)", code: 0) }
                guard received > 0 else { throw SocketError(operation: "recv", code: errno) }
                filled += received
            }
            return bytes
        }
    }

    /// Big-endian AMQP field encoding.
    private struct Encoder {
        var bytes: [UInt8] = []
        mutating func byte(_ value: UInt8) { bytes.append(value) }
        mutating func short(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
        mutating func shortString(_ value: String) {
            bytes.append(UInt8(value.utf8.count))
            bytes += value.utf8
        }
        mutating func longBytes(_ value: [UInt8]) {
            bytes += withUnsafeBytes(of: UInt32(value.count).bigEndian, Array.init)
            bytes += value
        }
    }
}
