import Contracts
import Foundation
import Yams

/// An image's communication plan (`communication-plan.md`) or education plan
/// (`education-plan.md`): Markdown for people, with a small YAML front matter that
/// shipboard-notify schedules from:
///
/// ```
/// ---
/// audiences: [stakeholders, site-contacts]
/// schedule:
///   - at: -24h              # relative to the deployment's start: -24h, -90m, +2h, 0m
///     subject: Payroll 4.2 is deployed tomorrow
///   - on: completed         # or an outcome: started, completed, halted, backed_out
///     audiences: [stakeholders]
///     subject: Payroll 4.2 is live
/// ---
/// # Payroll 4.2 …
/// ```
///
/// Every scheduled message names an `at` offset or an `on` outcome (one of them), a subject,
/// and optionally the audiences it goes to (by default all of the plan's).
public struct PlanDocument: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case communication = "communication-plan.md"
        case education = "education-plan.md"
    }

    /// When a message is sent: an offset from the deployment's start, or an outcome.
    public enum Moment: Equatable, Sendable {
        case offset(seconds: Int)
        case outcome(String)
    }

    public struct Entry: Equatable, Sendable {
        public var moment: Moment
        public var subject: String
        public var audiences: [String]
    }

    public static let outcomes = ["started", "completed", "halted", "backed_out"]
    /// A plan is a page of text, not a payload: larger ones are refused unread.
    public static let maxBytes = 256 * 1024
    static let maxEntries = 100
    /// Offsets up to 90 days either side of the start.
    static let maxOffsetSeconds = 90 * 86_400

    public var audiences: [String]
    public var schedule: [Entry]
    public var body: String

    /// The plan kind a file at `path` in an image is, if any.
    public static func kind(of path: ImagePath) -> Kind? { Kind(rawValue: path.value) }

    /// Parses and checks `text`; every problem is worded for the plan's author.
    public init(parsing text: String) throws(PlanDocumentError) {
        let (frontMatter, body) = try Self.split(text)
        let raw: RawFrontMatter
        do {
            raw = try YAMLDecoder().decode(RawFrontMatter.self, from: frontMatter)
        } catch {
            throw PlanDocumentError("the front matter is not valid: \(Self.describe(error))")
        }
        let audiences = try Self.names(raw.audiences ?? [], field: "audiences")
        guard !audiences.isEmpty else { throw PlanDocumentError("the front matter names no audiences") }
        guard (raw.schedule ?? []).count <= Self.maxEntries else {
            throw PlanDocumentError("the schedule has more than \(Self.maxEntries) messages")
        }
        var schedule: [Entry] = []
        for (index, item) in (raw.schedule ?? []).enumerated() {
            schedule.append(try Self.entry(item, index: index, planAudiences: audiences))
        }
        self.audiences = audiences
        self.schedule = schedule
        self.body = body
    }

    private struct RawFrontMatter: Decodable {
        var audiences: [String]?
        var schedule: [RawEntry]?
    }

    private struct RawEntry: Decodable {
        var at: String?
        var on: String?
        var subject: String?
        var audiences: [String]?
    }

    /// The YAML between the first two `---` lines, and the Markdown after them.
    private static func split(_ text: String) throws(PlanDocumentError) -> (String, String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == "---" else { throw PlanDocumentError("it does not start with a front matter (a line '---')") }
        lines.removeFirst()
        guard let end = lines.firstIndex(of: "---") else { throw PlanDocumentError("its front matter has no closing '---' line") }
        return (lines[..<end].joined(separator: "\n"), lines[(end + 1)...].joined(separator: "\n"))
    }

    private static func entry(_ item: RawEntry, index: Int, planAudiences: [String]) throws(PlanDocumentError) -> Entry {
        let field = "schedule[\(index)]"
        let moment: Moment
        switch (item.at, item.on) {
        case (let at?, nil): moment = .offset(seconds: try offset(at, field: "\(field).at"))
        case (nil, let on?):
            guard outcomes.contains(on) else {
                throw PlanDocumentError("\(field).on '\(printable(on))' is not one of \(outcomes.joined(separator: ", "))")
            }
            moment = .outcome(on)
        default: throw PlanDocumentError("\(field) needs exactly one of 'at' (e.g. -24h) or 'on' (e.g. completed)")
        }
        guard let subject = item.subject, ShortText.problem(subject, max: 200) == nil
        else { throw PlanDocumentError("\(field).subject must be 1 to 200 characters on one line") }
        let audiences = try names(item.audiences ?? planAudiences, field: "\(field).audiences")
        if let unknown = audiences.first(where: { !planAudiences.contains($0) }) {
            throw PlanDocumentError("\(field).audiences names '\(unknown)', which is not among the plan's audiences")
        }
        return Entry(moment: moment, subject: subject, audiences: audiences)
    }

    /// `-24h`, `+90m`, `0m`, `2d`: a signed whole number of minutes, hours or days.
    static func offset(_ text: String, field: String) throws(PlanDocumentError) -> Int {
        let units: [Character: Int] = ["m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let number = Int(text.dropLast()),
              abs(number) <= maxOffsetSeconds / unit
        else { throw PlanDocumentError("\(field) '\(printable(text))' is not an offset like -24h, -90m or +1d (at most 90 days)") }
        return number * unit
    }

    /// Audience names: short lowercase words with dashes, each once.
    private static func names(_ values: [String], field: String) throws(PlanDocumentError) -> [String] {
        guard values.count <= 20 else { throw PlanDocumentError("\(field) names more than 20 audiences") }
        for value in values {
            let fine = (1...60).contains(value.count)
                && value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
            guard fine else {
                throw PlanDocumentError("\(field) '\(printable(value))' is not an audience name (lowercase letters, digits, - and _)")
            }
        }
        guard Set(values).count == values.count else { throw PlanDocumentError("\(field) names an audience twice") }
        return values
    }

    private static func printable(_ text: String) -> String { ImagePath.printable(text, limit: 40) }

    private static func describe(_ error: any Error) -> String {
        // Yams' errors carry the line; the first line of their description is enough.
        String(String(describing: error).split(separator: "\n").first ?? "malformed YAML").prefix(200).description
    }
}

/// Why a plan document is refused.
public struct PlanDocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
