import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NULL-terminated arrays of C strings for libpq's keyword/value APIs. The copies live only
/// for the duration of `body`.
enum CStringArray {
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in
            // A non-empty array always has storage; the fallback only satisfies the optional.
            guard let base = buffer.baseAddress else {
                var terminator: UnsafePointer<CChar>? = nil
                return withUnsafePointer(to: &terminator) { body($0) }
            }
            return body(base)
        }
    }
}
