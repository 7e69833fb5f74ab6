import CRabbitMQ
import Foundation
import Glibc
import Logging

extension AMQPConnection {
    /// Opens the socket, logs in and opens the control and publish channels.
    func open() throws(AMQPError) {
        let state = handle.state
        let arena = CArena()
        let socket: OpaquePointer?
        if let tls = configuration.tls {
            socket = amqp_ssl_socket_new(state)
            if let socket {
                amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
                amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
                if let ca = tls.caCertificateFile {
                    let status = amqp_ssl_socket_set_cacert(socket, try arena.cString(ca))
                    guard status == AMQPStatus.ok else {
                        throw fail(.connectionFailed(status: status, reason: "cannot load CA certificate: \(AMQPStatus.describe(status))"))
                    }
                }
                if let cert = tls.certificateFile, let key = tls.keyFile {
                    let status = amqp_ssl_socket_set_key(socket, try arena.cString(cert), try arena.cString(key))
                    guard status == AMQPStatus.ok else {
                        throw fail(.connectionFailed(status: status, reason: "cannot load client certificate: \(AMQPStatus.describe(status))"))
                    }
                }
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else {
            throw fail(.connectionFailed(status: -1, reason: "cannot create socket"))
        }
        var connectTimeout = timeval(tv_sec: configuration.connectionTimeout, tv_usec: 0)
        let status = amqp_socket_open_noblock(
            socket, try arena.cString(configuration.host), Int32(configuration.port), &connectTimeout)
        guard status == AMQPStatus.ok else {
            throw fail(.connectionFailed(
                status: status,
                reason: "cannot reach \(configuration.host):\(configuration.port): \(AMQPStatus.describe(status))"))
        }
        _ = amqp_set_handshake_timeout(state, &connectTimeout)
        var rpcTimeout = timeval(tv_sec: configuration.rpcTimeout, tv_usec: 0)
        _ = amqp_set_rpc_timeout(state, &rpcTimeout)

        var properties = try arena.table([
            "connection_name": .string(configuration.connectionName),
            "product": "shipboard",
            "capabilities": .table([
                "authentication_failure_close": true, "consumer_cancel_notify": true,
                "publisher_confirms": true, "connection.blocked": true,
            ]),
        ])
        let reply = shipboard_amqp_login_plain(
            state, try arena.cString(configuration.virtualHost), Int32(clamping: configuration.channelMax), 131_072,
            Int32(configuration.heartbeat), &properties,
            try arena.cString(configuration.user), try arena.cString(configuration.password))
        do {
            try check(reply, operation: "login", channel: 0)
        } catch {
            // Whatever the broker said, a failed login is a refusal, not a lost connection.
            let reason: String = switch error {
            case .connectionLost(let reason), .operationFailed(_, _, let reason): reason
            default: error.description
            }
            self.status.markFailed(.loginRefused(reason: reason))
            throw AMQPError.loginRefused(reason: reason)
        }
        heartbeat = Int(amqp_get_heartbeat(state))
        let negotiated = Int(amqp_get_channel_max(state))
        channelMax = UInt16(clamping: negotiated == 0 ? Int(UInt16.max) : negotiated)
        self.status.setSocket(amqp_get_sockfd(state))
        lastInbound = .now
        try openChannel(Self.controlChannel)
        try openPublishChannel()
        logger.debug("amqp connected", metadata: ["amqp.server": "\(configuration)"])
    }

    func openChannel(_ channel: UInt16) throws(AMQPError) {
        guard channel <= channelMax else {
            throw AMQPError.invalidArgument("channel \(channel) is above the negotiated channel-max \(channelMax)")
        }
        amqp_channel_open(handle.state, channel)
        try check(amqp_get_rpc_reply(handle.state), operation: "channel.open", channel: channel)
        openChannels.insert(channel)
    }

    func openPublishChannel() throws(AMQPError) {
        try openChannel(Self.publishChannel)
        amqp_confirm_select(handle.state, Self.publishChannel)
        try check(amqp_get_rpc_reply(handle.state), operation: "confirm.select", channel: Self.publishChannel)
        nextPublishTag = 1
        try subscribeDirectReplies()
    }

    /// Reopens the control channel after the broker closed it over a failed declaration.
    func ensureControlChannel() throws(AMQPError) {
        try ensureUsable()
        if !openChannels.contains(Self.controlChannel) { try openChannel(Self.controlChannel) }
    }

    /// Checks the reply of a synchronous call. A channel.close is answered with close-ok so the
    /// channel can be reopened; a connection.close or socket error marks the connection failed.
    func check(_ reply: amqp_rpc_reply_t, operation: String, channel: UInt16) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            lastInbound = .now
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            let id = reply.reply.id
            if id == AMQPMethod.channelClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let error = AMQPError.channelClosed(code: close.reply_code, reason: close.reply_text.string)
                channelWasClosed(channel, error: error, answer: true)
                throw error
            }
            if id == AMQPMethod.connectionClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                answerConnectionClose()
                throw fail(.connectionLost(reason: "broker closed the connection (\(close.reply_code)): \(close.reply_text.string)"))
            }
            throw fail(.connectionLost(reason: "unexpected broker reply to \(operation)"))
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            throw fail(.connectionLost(reason: "\(operation): \(AMQPStatus.describe(status))"))
        default:
            throw fail(.connectionLost(reason: "\(operation): no reply"))
        }
    }

    /// Records that the broker closed `channel`: answers close-ok, bumps its epoch, fails
    /// outstanding confirms (publish channel) or ends its consumer.
    func channelWasClosed(_ channel: UInt16, error: AMQPError, answer: Bool) {
        if answer {
            var ok = amqp_channel_close_ok_t(dummy: 0)
            _ = amqp_send_method(handle.state, channel, AMQPMethod.channelCloseOk, &ok)
        }
        openChannels.remove(channel)
        consumerChannels[channel] = nil
        status.bumpEpoch(channel)
        if channel == Self.publishChannel { failInflight(error) }
        for (tag, route) in consumers where route.channel == channel {
            consumers[tag] = nil
            if !route.keepOnChannelClose { route.sink.finish(throwing: error) }
        }
        // A refused declaration (control channel) is thrown to whoever declared, and the
        // client logs it once per outage; a refusal elsewhere (403 on publish or consume)
        // needs an operator too.
        let level: Logger.Level = error.isPermanent && channel != Self.controlChannel ? .error : .info
        logger.log(level: level, "amqp channel closed by broker", metadata: [
            "amqp.channel": "\(channel)", "amqp.reason": "\(error)",
            "amqp.advice": "\(error.operatorAdvice ?? "none")",
        ])
    }

    func answerConnectionClose() {
        var ok = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(handle.state, 0, AMQPMethod.connectionCloseOk, &ok)
    }

    /// The connection is gone: standalone consumers end (their buffered deliveries are
    /// dropped, the broker redelivers them); a client's streams stay open for the next connection.
    func finishConsumers(with error: AMQPError?) {
        for route in consumers.values {
            if route.finishOnConnectionLoss {
                route.sink.finish(throwing: error, dropBuffered: true)
            } else if case .queue(let deliveries) = route.sink {
                deliveries.purge(deliveredBy: self)
            }
        }
        consumers.removeAll()
        consumerChannels.removeAll()
    }
}
