import AMQP
import Contracts
import Foundation
import Glibc
import Images
import Messaging
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-build as a separate process over the real servers (the fault broker, held
/// exclusively so no other consumer of `build.#` competes), driven the way planning drives
/// it: `build.build_image` for a release with a saved spec, answered by events.
@Suite("shipboard-build as a process")
struct BuildServiceProcessTests {
    struct Seen: Sendable {
        var types: [String] = []
        var built: [ImageBuilt] = []
        var failed: [ImageBuildFailed] = []
        var finished: [ImageBuildFinished] = []
    }

    /// Queues an older run declared with other arguments would be refused their re-declaration.
    static func removeOlderTopology(_ url: String) async throws {
        let connection = try await AMQPConnection.connect(AMQPConfiguration(url: url))
        for queue in MessagingTopology.shipboard.queues where queue.name.hasPrefix("build.") {
            try? await connection.deleteQueue(queue.name)
        }
        await connection.close()
    }

    @Test("saves a spec, builds the image into the store on build.build_image, reports a bad spec as a failed build, and a resent command has no second effect")
    func buildsDrivenByCommands() async throws {
        try await Self.withPreparedFolders { amqpURL, folder, importRoot, store in
            let process = try Self.launch(importRoot: importRoot, store: store, log: folder + "/build.log")
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
            let clientTask = Task { await client.run() }
            defer { clientTask.cancel() }
            let consumer = try await Self.observeEvents(client)
            let requests = RequestClient(amqp: client)
            let release = "REL-B\(Int.random(in: 10_000...99_999))"

            let files = ImageBuilderTests.files.map {
                ImageSpecFileInput(path: $0.0, from: $0.0, executable: $0.0.hasSuffix(".sh"))
            }
            let save = Envelope(SaveImageSpec(releaseKey: release, name: "payroll", version: "4.2.0", targetClasses: ["server"],
                                              files: files), correlationId: release, actor: "bea")
            #expect(try await Self.saveUntilAnswered(save, requests).revision == 1)
            // Clicked twice, or resent after a timeout: the same envelope gets the stored answer, no second revision.
            #expect(try await requests.send(save, timeout: .seconds(10)).revision == 1)
            // 300 characters or a NUL in a field: refused, naming the field; nothing stored.
            for (name, version) in [(String(repeating: "n", count: 300), "4.2.0"), ("payroll", "4.2\u{0}")] {
                do {
                    _ = try await requests.send(Envelope(SaveImageSpec(
                        releaseKey: release, name: name, version: version, targetClasses: [], files: files), correlationId: release, actor: "bea"))
                    Issue.record("a spec with a bad name or version was saved")
                } catch let refusal as CommandError {
                    #expect(refusal.kind == .validation && refusal.fields?[version == "4.2.0" ? "name" : "version"] != nil, "\(refusal)")
                }
            }
            // A hostile name is refused with the field that holds it.
            do {
                _ = try await requests.send(Envelope(SaveImageSpec(
                    releaseKey: release, name: "payroll", version: "4.2.0", targetClasses: [],
                    files: [.init(path: "../../etc/cron.d/x", from: "install.sh")]), correlationId: release, actor: "bea"))
                Issue.record("a spec naming ../ was saved")
            } catch let refusal as CommandError {
                #expect(refusal.kind == .validation && refusal.fields?["files[0]"]?.contains("..") == true, "\(refusal)")
            }

            let build = Envelope(BuildImage(releaseKey: release, taskKey: "build-image"), correlationId: release, actor: "planning")
            _ = try await requests.send(build, timeout: .seconds(30))
            var seen = try await Self.receive(consumer, until: { $0.finished.count >= 1 })
            let built = try #require(seen.built.first)
            #expect(seen.finished.first?.succeeded == true)
            #expect(seen.finished.first?.detail?.contains(built.sha256) == true)
            #expect(built.fileCount == ImageBuilderTests.files.count)
            let archive = store + "/\(built.sha256).tar.gz"
            let report = ImageIntegrity.verify(archiveAt: archive)
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.manifest?.releaseKey == release)

            // The same command again (a redelivery, a resend): the stored answer, no second build or event.
            _ = try await requests.send(build, timeout: .seconds(30))
            // A spec without its install script builds to a failure a person can act on.
            _ = try await requests.send(Envelope(SaveImageSpec(
                releaseKey: release, name: "payroll", version: "4.2.1", targetClasses: ["server"],
                files: files.filter { $0.path != "install.sh" }), correlationId: release, actor: "bea"))
            _ = try await requests.send(
                Envelope(BuildImage(releaseKey: release, taskKey: "build-image-2"), correlationId: release, actor: "planning"),
                timeout: .seconds(30))
            seen = try await Self.receive(consumer, until: { $0.finished.count >= 1 })
            #expect(seen.built.isEmpty, "the resent command built again")
            #expect(seen.failed.first?.reason == "the image has no install script: add install.sh at its root")
            #expect(seen.finished.first?.succeeded == false && seen.finished.first?.taskKey == "build-image-2")

            // A person's build (through the gateway): answered at once with its own task key, built
            // in the background; a communication plan whose front matter is wrong fails it, named.
            try Data("---\naudiences: [users]\nschedule:\n  - at: tomorrow\n    subject: s\n---\n".utf8)
                .write(to: URL(fileURLWithPath: importRoot + "/communication-plan.md"))
            _ = try await requests.send(Envelope(SaveImageSpec(
                releaseKey: release, name: "payroll", version: "4.2.2", targetClasses: ["server"],
                files: files + [.init(path: "communication-plan.md", from: "communication-plan.md")]), correlationId: release, actor: "bea"))
            let requested = try await requests.send(
                Envelope(RequestImageBuild(releaseKey: release), correlationId: release, actor: "bea"), timeout: .seconds(30))
            #expect(requested.taskKey.hasPrefix("manual-"))
            seen = try await Self.receive(consumer, until: { $0.finished.count >= 1 })
            #expect(seen.failed.first?.taskKey == requested.taskKey)
            #expect(seen.failed.first?.reason.contains("'communication-plan.md' is refused: schedule[0].at 'tomorrow'") == true,
                    "\(seen.failed)")
            do {
                _ = try await requests.send(Envelope(RequestImageBuild(releaseKey: "REL-NONE"), correlationId: "REL-NONE", actor: "bea"))
                Issue.record("a build of a release without a spec was queued")
            } catch let refusal as CommandError {
                #expect(refusal.kind == .notFound && refusal.rule == "images.no_spec")
            }

            let owner = PostgresPool(configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")), maxConnections: 1)
            let outcomes = try await owner.query(
                "SELECT outcome || ':' || task_key FROM build.image_builds WHERE release_key = \(release) ORDER BY id"
            ).map { try $0.decode(String.self) }
            await owner.close()
            #expect(outcomes.prefix(2) == ["built:build-image", "failed:build-image-2"] && outcomes.count == 3)
            await requests.close()

            kill(process.processIdentifier, SIGTERM)
            let stop = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning && process.terminationStatus == 0)
        }
    }

    @Test("kill -9 in the middle of a build leaves no image and no record; the redelivered command builds it once after a restart")
    func crashMidBuild() async throws {
        try await Self.withPreparedFolders { amqpURL, folder, importRoot, store in
            // Large enough that the build is still writing when it is killed.
            var random = UInt64(7)
            var payload = [UInt8](repeating: 0, count: 160 << 20)
            payload.withUnsafeMutableBytes { raw in
                for index in raw.bindMemory(to: UInt64.self).indices {
                    random = random &* 6364136223846793005 &+ 1442695040888963407
                    raw.bindMemory(to: UInt64.self)[index] = random
                }
            }
            try Data(payload).write(to: URL(fileURLWithPath: importRoot + "/payload.bin"))
            payload = []
            var process = try Self.launch(importRoot: importRoot, store: store, log: folder + "/build-1.log")
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
            let clientTask = Task { await client.run() }
            defer { clientTask.cancel() }
            let consumer = try await Self.observeEvents(client)
            let requests = RequestClient(amqp: client)
            let release = "REL-C\(Int.random(in: 10_000...99_999))"
            let files = (ImageBuilderTests.files.map(\.0) + ["payload.bin"]).map {
                ImageSpecFileInput(path: $0, from: $0, executable: $0.hasSuffix(".sh"))
            }
            let save = Envelope(SaveImageSpec(releaseKey: release, name: "big", version: "1.0.0", targetClasses: [], files: files),
                                correlationId: release, actor: "bea")
            _ = try await Self.saveUntilAnswered(save, requests)

            // Sent as planning's outbox would: nobody waits for an answer.
            let build = Envelope(BuildImage(releaseKey: release, taskKey: "build-image"), correlationId: release, actor: "planning")
            let pending = Task { try? await requests.send(build, timeout: .seconds(120)) }
            defer { pending.cancel() }
            let writing = ContinuousClock.now + .seconds(30)
            func partials() -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []).filter { $0.hasPrefix(".partial-") }
            }
            while partials().isEmpty && ContinuousClock.now < writing { try await Task.sleep(for: .milliseconds(5)) }
            #expect(!partials().isEmpty, "the build never started writing")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let archives = ((try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []).filter { $0.hasSuffix(".tar.gz") }
            #expect(archives.isEmpty, "a killed build left an image: \(archives)")
            let owner = PostgresPool(configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")), maxConnections: 1)
            defer { Task { await owner.close() } }
            func outcomes() async throws -> [String] {
                try await owner.query("SELECT outcome FROM build.image_builds WHERE release_key = \(release)").map { try $0.decode(String.self) }
            }
            #expect(try await outcomes().isEmpty)

            process = try Self.launch(importRoot: importRoot, store: store, log: folder + "/build-2.log")
            let seen = try await Self.receive(consumer, until: { $0.finished.count >= 1 })
            #expect(seen.finished.map(\.succeeded) == [true])
            let built = try #require(seen.built.first)
            #expect(ImageIntegrity.verify(archiveAt: store + "/\(built.sha256).tar.gz").isIntact)
            #expect(try await outcomes() == ["built"])
            #expect(try DirectoryImageStore(root: store).digests().map(\.hex) == [built.sha256])
            await requests.close()
            kill(process.processIdentifier, SIGTERM)
            let stop = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    /// The fault broker held exclusively with no older `build.*` queues, the migrations
    /// applied, and a fresh folder with the standard files under `import/` and an empty
    /// `images/` beside it.
    static func withPreparedFolders(
        _ body: (_ amqpURL: String, _ folder: String, _ importRoot: String, _ store: String) async throws -> Void
    ) async throws {
        try await FaultBroker.exclusively {
            let amqpURL = try TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")
            try await removeOlderTopology(amqpURL)
            try await MigrationGate.shared.ensureMigrated(try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")))
            try await ImageBuilderTests.withFolderAsync { folder in
                try ImageBuilderTests.write(ImageBuilderTests.files, under: folder + "/import")
                try await body(amqpURL, folder, folder + "/import", folder + "/images")
            }
        }
    }

    /// A queue of the build events (`image.*`, `build.image_finished`), consumed.
    static func observeEvents(_ client: AMQPClient) async throws -> AMQPConsumer {
        let observer = "test.build-events.\(UUID().uuidString.prefix(8))"
        try await client.declare(AMQPTopology(
            queues: [.init(name: observer, durable: false, exclusive: false, autoDelete: true)],
            bindings: ["image.*", BuildStepKind.finishedType].map { .init(queue: observer, exchange: Exchanges.events, routingKey: $0) }))
        return try await client.consume(queue: observer, prefetch: 50)
    }

    /// Sends `save` until the service (still starting) answers; the same envelope every time.
    static func saveUntilAnswered(_ save: Envelope<SaveImageSpec>, _ requests: RequestClient) async throws -> ImageSpecSaved {
        var saved: ImageSpecSaved?
        let deadline = ContinuousClock.now + .seconds(60)
        while saved == nil && ContinuousClock.now < deadline {
            do { saved = try await requests.send(save, timeout: .seconds(3)) } catch { try await Task.sleep(for: .milliseconds(300)) }
        }
        return try #require(saved, "the service never answered")
    }

    static func launch(importRoot: String, store: String, log: String) throws -> Process {
        try ServiceProcess.launch(
            "shipboard-build", amqpURL: try TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL"),
            settings: ["SHIPBOARD_IMPORT_ROOT": importRoot, "SHIPBOARD_IMAGE_STORE": store], log: log)
    }

    /// Events on the observer queue until `until` holds (or 30 s).
    static func receive(_ consumer: AMQPConsumer, until: @escaping @Sendable (Seen) -> Bool) async throws -> Seen {
        try await withThrowingTaskGroup(of: Seen?.self) { group in
            group.addTask {
                var seen = Seen()
                for try await delivery in consumer {
                    let header = try ContractCoding.decode(EnvelopeHeader.self, from: delivery.body)
                    seen.types.append(header.type)
                    switch header.type {
                    case ImageBuilt.messageType: seen.built.append(try Envelope<ImageBuilt>(header: header, body: delivery.body).payload)
                    case ImageBuildFailed.messageType:
                        seen.failed.append(try Envelope<ImageBuildFailed>(header: header, body: delivery.body).payload)
                    default: seen.finished.append(try Envelope<ImageBuildFinished>(header: header, body: delivery.body).payload)
                    }
                    try await delivery.ack()
                    if until(seen) { return seen }
                }
                return seen
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let seen = first else { throw CancellationError() }
            return seen
        }
    }
}
