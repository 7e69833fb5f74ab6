import Contracts
import Foundation
import Testing

@Suite("Lowercase hex")
struct LowercaseHexTests {
    @Test("every byte value becomes two lowercase digits, in order")
    func everyByte() {
        let bytes = (0...255).map(UInt8.init)
        let hex = LowercaseHex.encode(bytes)
        #expect(hex.count == 512)
        #expect(hex.hasPrefix("000102030405060708090a0b0c0d0e0f10"))
        #expect(hex.hasSuffix("f9fafbfcfdfeff"))
        #expect(hex == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(LowercaseHex.encode([UInt8]()) == "")
    }
}
