import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import ServiceKit

@Suite("Running services with graceful shutdown")
struct ServiceMainTests {
    static func configuration(shutdownTimeout: String = "10s") throws -> ServiceConfiguration {
        try ServiceConfiguration.load(
            serviceName: "test", defaultHTTPPort: 0,
            environment: [
                "SHIPBOARD_DATABASE_URL": "postgres://u:db-s3cret@127.0.0.1/x", "SHIPBOARD_AMQP_URL": "amqp://u:mq-s3cret@127.0.0.1/x",
                "SHIPBOARD_SHUTDOWN_TIMEOUT": shutdownTimeout,
            ])
    }

    static func quietLogger(_ sink: LogSink = .memory()) -> Logger {
        Logger(label: "test") { JSONLogHandler(label: $0, level: .trace, sink: sink) }
    }

    @Test("graceful shutdown stops every service, in reverse order of the list")
    func reverseOrder() async throws {
        let log = EventLog()
        let group = ServiceMain.serviceGroup(
            services: ["a", "b", "c"].map { GracefulService(name: $0, log: log) }, shutdownTimeout: .seconds(10),
            logger: Self.quietLogger(), gracefulShutdownSignals: [])
        async let running: Void = group.run()
        for name in ["a", "b", "c"] { await log.wait(for: "start \(name)") }
        await group.triggerGracefulShutdown()
        try await running
        #expect(log.all.filter { $0.hasPrefix("stop") } == ["stop c", "stop b", "stop a"])
    }

    @Test("run stops when its task is cancelled, and logs start and stop without secrets")
    func cancellation() async throws {
        let log = EventLog()
        let sink = LogSink.memory()
        let configuration = try Self.configuration()
        let task = Task {
            try await ServiceMain.run(
                services: [GracefulService(name: "a", log: log), SecretHoldingService(log: log)],
                configuration: configuration, logger: Self.quietLogger(sink), gracefulShutdownSignals: [])
        }
        await log.wait(for: "start a")
        await log.wait(for: "start secret")
        task.cancel()
        try await task.value
        #expect(log.all.contains("stop a"))
        let lines = sink.lines
        #expect(lines.contains { $0.contains(#""message":"service starting""#) && $0.contains(#""service.name":"test""#) })
        #expect(lines.contains { $0.contains(#""message":"service stopped""#) })
        for line in lines {
            #expect(!line.contains("s3cret") && !line.contains("pw-in-a-property"), "\(line)")
        }
    }

    @Test("a graceful-shutdown signal stops the group")
    func signal() async throws {
        let log = EventLog()
        let configuration = try Self.configuration()
        async let running: Void = ServiceMain.run(
            services: [GracefulService(name: "a", log: log)], configuration: configuration, logger: Self.quietLogger(),
            gracefulShutdownSignals: [.sigusr1])
        // Signal handlers are installed before any service starts, so this cannot kill the process.
        await log.wait(for: "start a")
        kill(getpid(), SIGUSR1)
        try await running
        #expect(log.all == ["start a", "stop a"])
    }

    @Test("a service returning on its own shuts the others down gracefully and fails the run")
    func unexpectedReturn() async throws {
        let log = EventLog()
        let configuration = try Self.configuration()
        await #expect(throws: ServiceStoppedUnexpectedly(service: "ReturningService")) {
            try await ServiceMain.run(
                services: [GracefulService(name: "a", log: log), ReturningService()], configuration: configuration,
                logger: Self.quietLogger(), gracefulShutdownSignals: [])
        }
        #expect(log.all == ["start a", "stop a"])
    }

    @Test("a service that ignores graceful shutdown is cancelled after the shutdown timeout")
    func shutdownTimeout() async throws {
        let log = EventLog()
        let group = ServiceMain.serviceGroup(
            services: [GracefulService(name: "a", log: log), StubbornService(log: log)],
            shutdownTimeout: try Self.configuration(shutdownTimeout: "300ms").shutdownTimeout,
            logger: Self.quietLogger(), gracefulShutdownSignals: [])
        async let running: Void = group.run()
        await log.wait(for: "start a")
        await log.wait(for: "start stubborn")
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        _ = try? await running
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(log.all.contains("cancelled stubborn"))
    }
}
