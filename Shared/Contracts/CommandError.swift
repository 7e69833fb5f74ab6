/// Why a command was refused. The gateway maps `kind` to an HTTP status.
public struct CommandError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// A kind this version does not know decodes to `.unknown` (``ContractEnum``): a refusal
    /// from a newer service still reaches the requester, which treats it like `internal`.
    public enum Kind: ContractEnum {
        /// The input is malformed or breaks a field rule (HTTP 400/422).
        case validation
        /// The actor may not do this (HTTP 403).
        case forbidden
        /// The state does not allow it, e.g. an illegal transition (HTTP 409).
        case conflict
        /// Something named does not exist (HTTP 404).
        case notFound
        /// A dependency is down; retrying later may work (HTTP 503).
        case unavailable
        /// No reply in time (HTTP 504). Set by the requester, never by a handler.
        case timeout
        /// A bug or unexpected failure in the handler (HTTP 500).
        case `internal`
        /// A kind a newer service sent that this version does not know, with its wire name.
        case unknown(String)

        public static let allCases: [Kind] = [.validation, .forbidden, .conflict, .notFound, .unavailable, .timeout, .internal]

        public var rawValue: String {
            switch self {
            case .validation: "validation"
            case .forbidden: "forbidden"
            case .conflict: "conflict"
            case .notFound: "not_found"
            case .unavailable: "unavailable"
            case .timeout: "timeout"
            case .internal: "internal"
            case .unknown(let rawValue): rawValue
            }
        }
    }

    public var kind: Kind
    /// A sentence for the user, safe to show: no SQL, no secrets.
    public var message: String
    /// The rule broken, e.g. `lifecycle.phase_order`, for conflicts and validation.
    public var rule: String?
    /// Field-level problems: field name → what is wrong.
    public var fields: [String: String]?

    public init(_ kind: Kind, _ message: String, rule: String? = nil, fields: [String: String]? = nil) {
        self.kind = kind
        self.message = message
        self.rule = rule
        self.fields = fields
    }

    public var description: String {
        "\(kind.rawValue): \(message)" + (rule.map { " [\($0)]" } ?? "")
    }
}

/// The reply to a command: its result or a typed error.
public enum CommandReply<Result: Codable & Sendable>: Codable, Sendable {
    case success(Result)
    case failure(CommandError)

    private enum CodingKeys: String, CodingKey { case ok, result, error }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decode(Bool.self, forKey: .ok) {
            self = .success(try container.decode(Result.self, forKey: .result))
        } else {
            self = .failure(try container.decode(CommandError.self, forKey: .error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .success(let result):
            try container.encode(true, forKey: .ok)
            try container.encode(result, forKey: .result)
        case .failure(let error):
            try container.encode(false, forKey: .ok)
            try container.encode(error, forKey: .error)
        }
    }

    /// The result, or the error thrown.
    public func get() throws(CommandError) -> Result {
        switch self {
        case .success(let result): return result
        case .failure(let error): throw error
        }
    }
}
