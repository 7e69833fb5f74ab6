import ArgumentParser
import Foundation

/// A command that could not do its job: the message goes to stderr, then the process exits
/// with `status` (1 by default, 2 for a missing or invalid setting).
struct AdminFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32

    init(_ description: String, status: Int32 = 1) {
        self.description = description
        self.status = status
    }
}
