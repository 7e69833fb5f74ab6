import Foundation
import Glibc
import Images
import RolloutCore
import Scripts
import Testing
import TestingCore

/// The `local` deploy driver with real images: install then verify, a failing verify, a
/// script that outlives its timeout, back out, the environment, hostile targets.
@Suite("Deploy driver: local")
struct DriverLocalTests {
    static func driver(_ folder: String, timeout: Duration = .seconds(20)) -> LocalDriver {
        LocalDriver(targetsRoot: folder + "/targets", stagingRoot: folder + "/staging", limits: .init(timeout: timeout, outputBytes: 4096))
    }

    static func contents(_ folder: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    }

    @Test("a deploy installs into the target's folder, verifies, records the install and removes its staging folder")
    func success() async throws {
        try await DriverImages.withFolder { folder in
            let attempt = try DriverImages.attempt(in: folder)
            let driver = Self.driver(folder)
            let outcome = try await driver.deploy(attempt)
            #expect(outcome.succeeded && outcome.failureReason == nil)
            #expect(outcome.scripts.map(\.script) == ["install.sh", "verify.sh"])
            #expect(outcome.scripts[0].outcome.output == "installed on CI-SRV-0001\n")
            #expect(outcome.log.contains("== install.sh exited with status 0") && outcome.log.contains("installed on CI-SRV-0001"))
            let installed = try String(contentsOfFile: folder + "/targets/CI-SRV-0001/opt/app/app.conf", encoding: .utf8)
            #expect(installed == "threads = 4\n")
            #expect(Self.contents(folder + "/staging").isEmpty)
            #expect(driver.ledger.entries(ciKey: "CI-SRV-0001") == [
                .init(rolloutID: attempt.rolloutID, taskKey: attempt.taskKey, attempt: 1, sha256: attempt.image.sha256),
            ])
        }
    }

    @Test("a failing verify fails the deploy with its output, leaves the install for the coordinator to back out, records nothing")
    func failingVerify() async throws {
        try await DriverImages.withFolder { folder in
            let attempt = try DriverImages.attempt(in: folder, changes: ["verify.sh": "#!/bin/sh\necho 'app.conf: threads missing' >&2\nexit 4\n"])
            let driver = Self.driver(folder)
            let outcome = try await driver.deploy(attempt)
            #expect(!outcome.succeeded)
            #expect(outcome.failureReason == "verify.sh exited with status 4: see its output")
            #expect(outcome.scripts.map(\.script) == ["install.sh", "verify.sh"])
            #expect(outcome.scripts[1].outcome.output == "app.conf: threads missing\n")
            #expect(FileManager.default.fileExists(atPath: folder + "/targets/CI-SRV-0001/opt/app/app.conf"))
            #expect(driver.ledger.entries(ciKey: "CI-SRV-0001").isEmpty)
            #expect(Self.contents(folder + "/staging").isEmpty)
        }
    }

    @Test("an install that outlives its 1 s limit is killed with what it started, and the deploy fails as timed out")
    func timeout() async throws {
        try await DriverImages.withFolder { folder in
            let attempt = try DriverImages.attempt(in: folder, changes: ["install.sh": "#!/bin/sh\nsleep 300 &\nsleep 300\n"])
            let started = ContinuousClock.now
            let outcome = try await Self.driver(folder, timeout: .seconds(1)).deploy(attempt)
            // Far below the install's 300 s; loose because a loaded fresh-clone run took 20 s.
            #expect(ContinuousClock.now - started < .seconds(90), "the timeout did not end the install")
            #expect(!outcome.succeeded && outcome.scripts.map(\.script) == ["install.sh"])
            #expect(outcome.scripts[0].outcome.ending == .timedOut(.seconds(1)))
            #expect(outcome.failureReason?.hasPrefix("install.sh timed out after 1 s") == true)
            #expect(Self.contents(folder + "/staging").isEmpty)
        }
    }

    @Test("back out after a deploy leaves the target's folder exactly as it was before")
    func backOutRestores() async throws {
        try await DriverImages.withFolder { folder in
            let attempt = try DriverImages.attempt(in: folder)
            let driver = Self.driver(folder)
            let target = driver.targetRoot(ciKey: "CI-SRV-0001")
            try FileManager.default.createDirectory(atPath: target + "/etc", withIntermediateDirectories: true)
            try Data("127.0.0.1 localhost\n".utf8).write(to: URL(fileURLWithPath: target + "/etc/hosts"))
            let before = try TreeDigest.of(root: target)
            #expect(try await driver.deploy(attempt).succeeded)
            #expect(try TreeDigest.of(root: target) != before)
            let backout = try await driver.backOut(attempt)
            #expect(backout.succeeded && backout.scripts.map(\.script) == ["backout.sh"])
            #expect(try TreeDigest.of(root: target) == before)
            #expect(Self.contents(folder + "/staging").isEmpty)
        }
    }

    @Test("scripts see exactly the documented variables, never the service's database URL or token")
    func environment() async throws {
        setenv("SHIPBOARD_DATABASE_URL", "postgres://rollout:secret@127.0.0.1/shipboard", 1)
        setenv("SHIPBOARD_DML_TOKEN", "dml-token-that-must-not-leak", 1)
        try await DriverImages.withFolder { folder in
            let attempt = try DriverImages.attempt(in: folder, changes: ["install.sh": "#!/bin/sh\nenv\npwd\n", "verify.sh": nil])
            let outcome = try await Self.driver(folder).deploy(attempt)
            #expect(outcome.succeeded)
            let lines = outcome.scripts[0].outcome.output.split(separator: "\n").map(String.init)
            var variables: [String: String] = [:]
            for line in lines.dropLast() {
                let (name, value) = (line.prefix { $0 != "=" }, line.drop { $0 != "=" }.dropFirst())
                variables[String(name)] = String(value)
            }
            // The script's shell may export its own PWD; everything else comes from the driver.
            variables["PWD"] = nil
            let home = try #require(variables["HOME"])
            #expect(home.hasPrefix(URL(fileURLWithPath: folder).standardizedFileURL.path + "/staging/"))
            #expect(lines.last == home + "/image", "the working directory is the unpacked image")
            #expect(variables == [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
                "SHIPBOARD_TARGET_ROOT": URL(fileURLWithPath: folder).standardizedFileURL.path + "/targets/CI-SRV-0001",
                "SHIPBOARD_IMAGE_DIR": home + "/image", "SHIPBOARD_IMAGE_NAME": "payroll", "SHIPBOARD_IMAGE_VERSION": "4.2.0",
                "SHIPBOARD_IMAGE_SHA256": attempt.image.sha256, "SHIPBOARD_RELEASE_KEY": "REL-000042",
                "SHIPBOARD_TARGET_CI": "CI-SRV-0001", "SHIPBOARD_TARGET_SITE": "FRA1",
                "SHIPBOARD_ROLLOUT_ID": attempt.rolloutID, "SHIPBOARD_ATTEMPT": "1",
            ])
            #expect(!outcome.log.contains("secret") && !outcome.log.contains("dml-token-that-must-not-leak"))
        }
    }

    @Test("a hostile CI key, site or attempt fails the deploy with the reason before anything is written")
    func hostileAttempts() async throws {
        try await DriverImages.withFolder { folder in
            let valid = try DriverImages.attempt(in: folder)
            var hostile: [(DeployAttempt, String)] = []
            for key in ["../escape", "..", ".installs", "CI-SRV\u{0}0001", String(repeating: "C", count: 300), "", "a/b"] {
                var attempt = valid
                attempt.target.ciKey = key
                hostile.append((attempt, "the target's CI key must be"))
            }
            var badSite = valid
            badSite.target.site = "FRA1\u{0}"
            hostile.append((badSite, "the site must be 1 to 100 characters"))
            var badAttempt = valid
            badAttempt.attempt = 0
            hostile.append((badAttempt, "the attempt number must be 1 or more"))
            let driver = Self.driver(folder)
            for (attempt, reason) in hostile {
                let outcome = try await driver.deploy(attempt)
                #expect(!outcome.succeeded && outcome.scripts.isEmpty)
                #expect(outcome.failureReason?.hasPrefix(reason) == true, "\(outcome.failureReason ?? "")")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/targets"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/escape"))
        }
    }

    @Test("verify.sh is optional: without it a deploy is install.sh alone")
    func verifyOptional() async throws {
        try await DriverImages.withFolder { folder in
            let outcome = try await Self.driver(folder).deploy(try DriverImages.attempt(in: folder, changes: ["verify.sh": nil]))
            #expect(outcome.succeeded && outcome.scripts.map(\.script) == ["install.sh"])
        }
    }

    @Test("an archive that is not an image fails the deploy; a missing archive is infrastructure trouble (thrown)")
    func brokenArchives() async throws {
        try await DriverImages.withFolder { folder in
            var attempt = try DriverImages.attempt(in: folder)
            let garbage = folder + "/garbage.tar.gz"
            try Data("not gzip".utf8).write(to: URL(fileURLWithPath: garbage))
            attempt.image.archive = garbage
            let outcome = try await Self.driver(folder).deploy(attempt)
            #expect(!outcome.succeeded && outcome.failureReason?.hasPrefix("the image cannot be unpacked") == true)
            attempt.image.archive = folder + "/missing.tar.gz"
            await #expect(throws: DeployDriverError.self) { try await Self.driver(folder).deploy(attempt) }
            #expect(Self.contents(folder + "/staging").isEmpty)
        }
    }
}
