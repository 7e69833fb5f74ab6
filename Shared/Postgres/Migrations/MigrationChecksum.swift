import Crypto
import Foundation

/// The checksum recorded for a migration file: SHA-256 of its bytes, lower-case hex
/// (swift-crypto). A file changed after it was applied no longer matches.
enum MigrationChecksum {
    static func hex<Bytes: DataProtocol>(_ contents: Bytes) -> String {
        SHA256.hash(data: contents).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
