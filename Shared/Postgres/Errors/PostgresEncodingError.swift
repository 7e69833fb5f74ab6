/// A value that cannot be sent as a bound parameter. Raised when the query runs; names the
/// parameter's position and Swift type, never its value.
public struct PostgresEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        /// A text parameter contains a NUL byte, which libpq cannot send (C strings). Use
        /// `Data` (bytea) for binary content.
        case nulByteInText(parameter: Int)
        /// The SQL text itself contains a NUL byte.
        case nulByteInSQL
        /// The value could not be encoded (e.g. a JSON encoding failure).
        case encodingFailed(type: String)
        /// The value is outside what PostgreSQL can store for its type.
        case valueOutOfRange(type: String)
        /// An `\(identifier:)` interpolation was not a plain identifier.
        case invalidIdentifier
        /// More than 65,535 parameters (the protocol's limit).
        case tooManyParameters(Int)
    }

    /// What went wrong.
    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .nulByteInText(let parameter):
            "bound parameter $\(parameter) contains a NUL byte, which PostgreSQL text cannot hold; send binary content as Data (bytea)"
        case .nulByteInSQL:
            "the SQL text contains a NUL byte"
        case .encodingFailed(let type):
            "a value of type \(type) could not be encoded as a bound parameter"
        case .valueOutOfRange(let type):
            "a value of type \(type) is outside the range PostgreSQL can store"
        case .invalidIdentifier:
            "an interpolated identifier is not a plain SQL name ([A-Za-z_][A-Za-z0-9_]{0,62})"
        case .tooManyParameters(let count):
            "\(count) bound parameters exceed PostgreSQL's limit of 65535"
        }
    }
}
