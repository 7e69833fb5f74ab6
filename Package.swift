// swift-tools-version:6.0
// Shipboard: ITIL release management as separate Swift executables over AMQP and PostgreSQL.
// Layout follows ARCHITECTURE.md: Shared/<Module>, Services/<Name>/{Core,Main}, Tests/<Suite>.
import PackageDescription

let package = Package(
    name: "Shipboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "shipboard-migrate", targets: ["ShipboardMigrate"]),
        .executable(name: "shipboard-bench", targets: ["ShipboardBench"]),
        .executable(name: "messaging-probe", targets: ["MessagingProbe"]),
        .executable(name: "shipboard-planning", targets: ["ShipboardPlanning"]),
        .executable(name: "shipboard-gateway", targets: ["ShipboardGateway"]),
        .executable(name: "shipboard-build", targets: ["ShipboardBuild"]),
        .executable(name: "shipboard-testing", targets: ["ShipboardTesting"]),
        .executable(name: "shipboard-rollout", targets: ["ShipboardRollout"]),
        .executable(name: "shipboard-notify", targets: ["ShipboardNotify"]),
        .executable(name: "shipboard-admin", targets: ["ShipboardAdmin"]),
        .executable(name: "shipboard", targets: ["ShipboardCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        // Already in the graph through the transport above; named so the CLI can configure its
        // HTTP client (timeouts, no redirects), write client middleware (HTTPTypes) and say
        // which connection error happened (NIO's error types).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // gzip for software images (zlib underneath).
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // The front matter of an image's communication and education plans (already in the
        // graph through swift-openapi-generator).
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Notification templates (subject, plain text, HTML per event type and channel).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // C libraries: system library targets found through pkg-config, plus a small shim header.
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        // libcurl: shipboard-notify sends email through its SMTP client (STARTTLS, auth).
        .systemLibrary(
            name: "CCurl", path: "Shared/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // Thin Swift wrappers over the C libraries.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Postgres"),
        .target(
            name: "AMQP",
            dependencies: ["CRabbitMQ", .product(name: "Logging", package: "swift-log")],
            path: "Shared/AMQP"),

        // The one shared language: envelope, commands, events, replies, routing keys.
        .target(
            name: "Contracts",
            path: "Shared/Contracts"),

        // Outbox, outbox relay, inbox, consumer runner with retries and dead letters,
        // request/reply, and the topology definition.
        .target(
            name: "Messaging",
            dependencies: [
                "Contracts", "Postgres", "AMQP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Messaging"),

        // Configuration, logging, metrics, health endpoint, graceful shutdown, and the start-up
        // every service shares (StandardService).
        .target(
            name: "ServiceKit",
            dependencies: [
                "Postgres", "AMQP", "Messaging",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Shared/ServiceKit"),

        // shipboard-planning: releases, lifecycle, approvals, changes, CIs, audit (logic and repositories).
        .target(
            name: "PlanningCore",
            dependencies: [
                "Contracts", "Postgres", "Messaging",
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Planning/Core"),

        // Starting an image's scripts (install, verify, backout, tests) with a fixed environment,
        // a timeout over the whole process group and bounded output: testing and rollout share it.
        .target(
            name: "Scripts",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            path: "Shared/Scripts"),

        // Software images: the archive format (deterministic tar.gz with a manifest), written by
        // shipboard-build and read back by shipboard-testing and the rollout workers.
        .target(
            name: "Images",
            dependencies: [
                "Contracts", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Shared/Images"),

        // Build and package: an image spec's files into an image.
        .target(
            name: "BuildCore",
            dependencies: ["Images", "Contracts", "Postgres", "Messaging", .product(name: "Crypto", package: "swift-crypto")],
            path: "Services/Build/Core"),

        // Testing and the DML: test runs of an image, acceptance, the Definitive Media Library.
        .target(
            name: "TestingCore",
            dependencies: [
                "Images", "Contracts", "Postgres", "Messaging", "Scripts",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Services/TestingDML/Core"),

        // Rollout: planning rollouts across sites and waves, deploy drivers, the coordinator's rules.
        .target(
            name: "RolloutCore",
            dependencies: [
                "Images", "Contracts", "Postgres", "Messaging", "Scripts", "AMQP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The DML fetcher: streams archives over HTTP to the per-replica cache.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ],
            path: "Services/Rollout/Core"),

        // shipboard-notify: stakeholders, subscriptions, templates, channels, scheduled briefings.
        .target(
            name: "NotificationCore",
            dependencies: [
                "Contracts", "Postgres", "Messaging", "CCurl", "Images",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Webhook and chat deliveries.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Services/Notification/Core"),

        // shipboard-gateway's identity: users, roles, API tokens, passwords (logic and repositories).
        .target(
            name: "GatewayCore",
            dependencies: [
                "Contracts", "Postgres", "PlanningCore", "Images",
                // The rollout definition's rules, checked before a plan request is sent.
                "RolloutCore",
                // The contact point rules, checked before gateway.contact_points is written.
                "NotificationCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                // The printable release and portfolio reports (Services/Gateway/Core/Reports).
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/Gateway/Core"),

        // The gateway's HTTP API, generated from its OpenAPI document (openapi.json, served as is).
        .target(
            name: "GatewayAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            path: "Services/Gateway/API",
            resources: [.copy("openapi.json")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),

        // shipboard-gateway: the public edge.
        .executableTarget(
            name: "ShipboardGateway",
            dependencies: [
                "GatewayAPI", "GatewayCore", "PlanningCore", "RolloutCore", "NotificationCore", "Postgres", "ServiceKit", "Messaging", "Contracts", "AMQP", "Images",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // Artifact uploads stream to disk (written under a temporary name, visible when complete).
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                // DML downloads stream from shipboard-testing's download server.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The web dashboard's pages (Services/Gateway/Main/Dashboard).
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/Gateway/Main"),

        .executableTarget(
            name: "ShipboardPlanning",
            dependencies: ["PlanningCore", "Messaging", "ServiceKit", "AMQP", "Postgres"],
            path: "Services/Planning/Main"),
        .executableTarget(
            name: "ShipboardBuild",
            dependencies: ["BuildCore", "Images", "ServiceKit"],
            path: "Services/Build/Main"),
        .executableTarget(
            name: "ShipboardTesting",
            dependencies: ["TestingCore", "Images", "Postgres", "ServiceKit", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Services/TestingDML/Main"),
        .executableTarget(
            name: "ShipboardRollout",
            dependencies: ["RolloutCore", "Messaging", "ServiceKit", "Scripts"],
            path: "Services/Rollout/Main"),

        .executableTarget(
            name: "ShipboardNotify",
            dependencies: [
                "NotificationCore", "Messaging", "ServiceKit", "Postgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Notification/Main"),

        // Operator tool: applies Infra/postgres/migrations under an advisory lock.
        .executableTarget(
            name: "ShipboardMigrate",
            dependencies: ["Postgres", "ServiceKit"],
            path: "Services/Migrate/Main"),

        // Operator tool: lists, retries and discards failed outbox rows (shipboard-admin outbox …).
        .executableTarget(
            name: "ShipboardAdmin",
            dependencies: [
                "Messaging", "Postgres", "ServiceKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Admin/Main"),

        // shipboard: the release manager's command line over the gateway's HTTP API. The commands
        // (Main) use the client generated from openapi.json; the pure pieces they share (exit
        // statuses, tables, the progress bar, settings, argument parsing) live in CLICore, which
        // the tests import (an executable target is not reliably importable). No server module.
        .target(
            name: "CLICore",
            // The rollout contracts its plan and definition text is made of.
            dependencies: ["Contracts"],
            path: "Services/CLI/Core"),
        .executableTarget(
            name: "ShipboardCLI",
            dependencies: [
                "GatewayAPI", "CLICore", "Contracts",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                // Uploads stream from the file; downloads are checked against their SHA-256.
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/CLI/Main"),

        // Benchmarks (not tests): prints throughput beside baselines measured in the same run.
        .executableTarget(
            name: "ShipboardBench",
            dependencies: [
                "Postgres", "AMQP", "Messaging", "PlanningCore", "GatewayCore", "BuildCore", "Images",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/Benchmarks"),

        // Shared by the test targets: settings from test.sh and the fault harness (fault servers, proxy, namespaces).
        .target(
            name: "ShipboardTestSupport",
            dependencies: [
                "Postgres", "CTestSupport", .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"),
        // setns, eventfd, accept4 for the harness (Glibc does not show them to Swift).
        .target(
            name: "CTestSupport",
            path: "Tests/CTestSupport"),

        // Integration tests against the real PostgreSQL and RabbitMQ started by Infra/scripts/test.sh.
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres"],
            path: "Tests/PostgresTests"),
        .testTarget(
            name: "AMQPTests",
            dependencies: ["AMQP", "ShipboardTestSupport"],
            path: "Tests/AMQPTests"),
        .testTarget(
            name: "CLITests",
            dependencies: ["CLICore", "Contracts"],
            path: "Tests/CLITests"),
        .testTarget(
            name: "BuildTests",
            dependencies: [
                "BuildCore", "Images", "Contracts", "Messaging", "AMQP", "Postgres", "ShipboardTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/BuildTests"),
        .testTarget(
            name: "TestingTests",
            dependencies: [
                "TestingCore", "BuildCore", "Images", "Contracts", "Messaging", "AMQP", "Postgres", "ShipboardTestSupport", "Scripts",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/TestingTests"),
        .testTarget(
            name: "RolloutTests",
            dependencies: [
                "RolloutCore", "Images", "Contracts", "Postgres", "ShipboardTestSupport",
                // Deploy drivers run real images; the DML fetcher is tested against the real download router.
                "BuildCore", "TestingCore", "Scripts",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/RolloutTests"),
        .testTarget(
            name: "NotificationTests",
            dependencies: [
                "NotificationCore", "Contracts", "Postgres", "Messaging", "AMQP", "ShipboardTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/NotificationTests"),
        .testTarget(
            name: "ContractsTests",
            dependencies: ["Contracts"],
            path: "Tests/ContractsTests"),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Messaging", "ShipboardTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/MessagingTests"),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayCore", "PlanningCore", "RolloutCore", "NotificationCore", "Postgres", "Contracts", "ShipboardTestSupport", "AMQP", "Messaging",
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"), .product(name: "Crypto", package: "swift-crypto"),
                // The dashboard tests: a client that does not follow redirects and keeps each Set-Cookie.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/GatewayTests"),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "PlanningCore", "Messaging", "AMQP", "Contracts", "Postgres", "ShipboardTestSupport", "ServiceKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/PlanningTests"),
        // The fault harness itself: fault PostgreSQL and RabbitMQ verbs, the TCP proxy, network namespaces.
        .testTarget(
            name: "HarnessTests",
            dependencies: ["ShipboardTestSupport", "Postgres"],
            path: "Tests/HarnessTests"),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: ["ServiceKit", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/ServiceKitTests"),

        // A small service used by the messaging tests as a separate process (so a test can
        // kill -9 it mid-handler or send it SIGTERM during a burst).
        .executableTarget(
            name: "MessagingProbe",
            dependencies: ["Messaging", "ServiceKit", "Postgres", "AMQP", "Contracts"],
            path: "Tests/MessagingProbe"),
    ],
    swiftLanguageModes: [.v6]
)
