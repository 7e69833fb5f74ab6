import Contracts

/// Bounds on what an event puts into a rendered message: a hostile or broken event (a NUL, a
/// 10,000-character reason, a payload nested a thousand deep) renders safely and boundedly.
/// Strings lose control characters (line breaks and tabs stay) and are cut to
/// ``maxCharacters``; arrays and objects keep their first ``maxMembers`` members, nesting
/// stops at ``maxDepth``.
///
/// What notify composes itself (a briefing's plan text, a digest's list) is bounded by the
/// looser ``Bounds/composed``: it was checked where it came in, and is longer by nature.
enum TemplateValues {
    static let maxCharacters = 2_000
    static let maxMembers = 100
    static let maxDepth = 6

    struct Bounds {
        var characters: Int
        var members: Int
        static let event = Bounds(characters: maxCharacters, members: maxMembers)
        static let composed = Bounds(characters: TemplateCheck.maxTextBytes / 2, members: 1_000)
    }

    static func bounded(_ value: JSONValue, bounds: Bounds = .event, depth: Int = 0) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(boundedText(text, limit: bounds.characters))
        case .array(let items):
            guard depth < maxDepth else { return .null }
            return .array(items.prefix(bounds.members).map { bounded($0, bounds: bounds, depth: depth + 1) })
        case .object(let members):
            guard depth < maxDepth else { return .null }
            let kept = members.keys.sorted().prefix(bounds.members).map {
                (boundedText($0, limit: 100), bounded(members[$0]!, bounds: bounds, depth: depth + 1))
            }
            return .object(Dictionary(kept, uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .number:
            return value
        }
    }

    static func boundedText(_ text: String, limit: Int = maxCharacters) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars where isPrintable(scalar) {
            guard count < limit else {
                kept.append("…")
                break
            }
            kept.append(scalar)
            count += 1
        }
        return String(kept)
    }

    /// Line breaks and tabs are kept (a reason may have paragraphs); other C0, DEL and C1 are not.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: true
        case 0x00..<0x20, 0x7F...0x9F: false
        default: true
        }
    }

    /// The value as swift-mustache reads it: dictionaries, arrays, strings, whole numbers as
    /// `Int` (a count must not render as `3.0`), booleans. Null and the empty string are left
    /// out, so a section on them renders nothing (swift-mustache renders a section on "").
    static func mustacheValue(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .string(let text): return text.isEmpty ? nil : text
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { return Int(number) }
            return number
        case .array(let items): return items.compactMap(mustacheValue)
        case .object(let members): return members.compactMapValues(mustacheValue)
        }
    }
}
