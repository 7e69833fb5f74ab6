extension KeyedDecodingContainer {
    /// Decodes the string at `key` and checks it against its envelope limit. A violation is a
    /// `DecodingError.dataCorrupted` whose coding path ends with `key` and whose description
    /// states the rule, never the value (it is logged and put into dead-letter headers).
    func decodeLimited(_ key: Key, bytes: ClosedRange<Int>) throws -> String {
        let value = try decode(String.self, forKey: key)
        if let problem = EnvelopeLimits.problem(value, bytes: bytes) {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(key.stringValue) \(problem)")
        }
        return value
    }
}
