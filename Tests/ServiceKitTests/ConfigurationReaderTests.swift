import Testing

@testable import ServiceKit

@Suite("Reading typed settings from the environment")
struct ConfigurationReaderTests {
    @Test("unset and blank variables take their defaults and record nothing")
    func defaults() throws {
        let reader = ConfigurationReader(environment: ["BLANK": "  "])
        #expect(reader.string("BLANK", default: "x") == "x")
        #expect(reader.optional("UNSET") == nil)
        #expect(reader.int("UNSET", default: 7, range: 1...10) == 7)
        #expect(reader.bool("UNSET", default: true))
        #expect(reader.duration("UNSET", default: .seconds(3)) == .seconds(3))
        #expect(reader.oneOf("UNSET", default: "a", allowed: ["a", "b"]) == "a")
        try reader.validate()
    }

    @Test(
        "durations: milliseconds, seconds, minutes, hours, bare seconds",
        arguments: [
            ("500ms", Duration.milliseconds(500)), ("5s", .seconds(5)), ("2m", .seconds(120)), ("1h", .seconds(3600)),
            ("30", .seconds(30)), ("0", .zero), (" 10S ", .seconds(10)),
        ])
    func durations(text: String, expected: Duration) throws {
        let reader = ConfigurationReader(environment: ["T": text])
        #expect(reader.duration("T", default: .seconds(99)) == expected)
        try reader.validate()
    }

    @Test(
        "malformed durations are problems, not crashes",
        arguments: ["soon", "-5s", "5 s", "1.5s", "ms", "s", "+5", "99999999999999999999m", "9223372036854775807h", "５s"])
    func malformedDurations(text: String) {
        let reader = ConfigurationReader(environment: ["T": text])
        #expect(reader.duration("T", default: .seconds(1)) == .seconds(1))
        #expect(reader.problems.map(\.variable) == ["T"])
        #expect(reader.problems.first?.reason.hasPrefix("is not a duration") == true)
    }

    @Test("each kind of problem says what is wrong")
    func reasons() {
        let reader = ConfigurationReader(environment: [
            "PORT": "eighty", "WORKERS": "99", "FLAG": "maybe", "MODE": "xml", "DELAY": "2h",
        ])
        _ = reader.required("MISSING")
        _ = reader.int("PORT", default: 1, range: 1...65535)
        _ = reader.int("WORKERS", default: 1, range: 1...10)
        _ = reader.bool("FLAG", default: false)
        _ = reader.oneOf("MODE", default: "plain", allowed: ["plain", "json"])
        _ = reader.duration("DELAY", default: .seconds(1), range: .milliseconds(100)...(.seconds(60)))
        #expect(reader.problems.map(\.description) == [
            "MISSING is required but not set",
            #"PORT is not an integer (got "eighty")"#,
            #"WORKERS is out of range 1...10 (got "99")"#,
            #"FLAG is not a boolean (use true or false, yes or no, on or off, 1 or 0) (got "maybe")"#,
            #"MODE is not one of plain, json (got "xml")"#,
            #"DELAY is out of range 100ms...60s (got "2h")"#,
        ])
        #expect(throws: ConfigurationError(problems: reader.problems)) { try reader.validate() }
    }

    @Test("booleans and choices ignore case; choices come back as spelled in the allowed list")
    func spellings() throws {
        let reader = ConfigurationReader(environment: ["A": "YES", "B": "Off", "C": "1", "D": "JSON"])
        #expect(reader.bool("A", default: false))
        #expect(!reader.bool("B", default: true))
        #expect(reader.bool("C", default: false))
        #expect(reader.oneOf("D", default: LogFormat.plain) == .json)
        try reader.validate()
    }

    @Test(
        "values are echoed only when harmless: not secret, short, printable",
        arguments: [
            ("PORT", "x\u{1B}[2J", false), ("PORT", String(repeating: "9", count: 41), false), ("PORT", "a\"b", false),
            ("API_TOKEN", "abc", false), ("PEER_URL", "abc", false), ("DB_PASSWORD", "abc", false), ("PORT", "abc", true),
        ])
    func echoRules(name: String, value: String, echoed: Bool) {
        let reader = ConfigurationReader(environment: [name: value])
        _ = reader.int(name, default: 1, range: 1...2)
        let reason = reader.problems.first?.reason ?? ""
        #expect(reason.contains(value) == echoed)
        #expect(reason.contains("got") == echoed)
    }

    @Test("a secret's value is never in a problem, whatever is wrong with it")
    func secretsNotEchoed() {
        let reader = ConfigurationReader(environment: ["CONN": "mysql://u:hunter2@db/x", "OTHER": "not a url hunter2"])
        _ = reader.requiredURL("CONN", schemes: ["postgres"])
        _ = reader.requiredURL("OTHER", schemes: ["amqp"], secret: true)
        #expect(reader.problems.count == 2)
        for problem in reader.problems { #expect(!problem.description.contains("hunter2")) }
    }

    @Test("URLs need one of the schemes and `://`", arguments: ["postgres://h/db", "POSTGRESQL://h/db"])
    func urlSchemes(url: String) throws {
        let reader = ConfigurationReader(environment: ["U": url])
        #expect(reader.requiredURL("U", schemes: ["postgres", "postgresql"]) == url)
        try reader.validate()
    }

    @Test("an optional URL is nil when unset, checked like a required one when set, never quoted")
    func optionalURL() throws {
        let reader = ConfigurationReader(environment: ["SET": "postgres://u:hunter2@h/db", "BAD": "mysql://u:hunter2@h/db"])
        #expect(reader.optionalURL("UNSET", schemes: ["postgres"]) == nil)
        #expect(reader.optionalURL("SET", schemes: ["postgres"]) == "postgres://u:hunter2@h/db")
        #expect(reader.problems.isEmpty)
        _ = reader.optionalURL("BAD", schemes: ["postgres"])
        #expect(reader.problems.map(\.variable) == ["BAD"])
        for problem in reader.problems { #expect(!problem.description.contains("hunter2")) }
    }

    @Test("a service can record a problem no single accessor sees")
    func recordedProblem() {
        let reader = ConfigurationReader(environment: [:])
        reader.recordProblem("A_MAX", "must be at least A_MIN")
        #expect(reader.problems == [.init(variable: "A_MAX", reason: "must be at least A_MIN")])
    }
}
