import Testing
import TestingCore

/// The one `Range` header form downloads serve, against a 1000-byte file.
@Suite("DML downloads: byte ranges")
struct DMLByteRangeTests {
    @Test("bytes=a-b, a- and -n select the bytes; a last byte past the end is clamped", arguments: [
        ("bytes=0-99", ByteRangeRequest.part(first: 0, last: 99)),
        ("bytes=900-", .part(first: 900, last: 999)),
        ("bytes=-100", .part(first: 900, last: 999)),
        ("bytes=-5000", .part(first: 0, last: 999)),
        ("bytes=990-5000", .part(first: 990, last: 999)),
        ("bytes=999-999", .part(first: 999, last: 999)),
    ])
    func satisfiable(header: String, expected: ByteRangeRequest) {
        #expect(ByteRangeRequest(header: header, size: 1000) == expected)
    }

    @Test("a range starting at or past the end, or a zero suffix, cannot be satisfied", arguments: ["bytes=1000-", "bytes=1000-1200", "bytes=-0"])
    func unsatisfiable(header: String) {
        #expect(ByteRangeRequest(header: header, size: 1000) == .unsatisfiable)
    }

    @Test("no header, another unit, several ranges or a malformed one: the whole file", arguments: [
        nil, "items=0-1", "bytes=0-1,5-6", "bytes=5-2", "bytes=-", "bytes=a-b", "bytes=99999999999999999999-",
    ] as [String?])
    func whole(header: String?) {
        #expect(ByteRangeRequest(header: header, size: 1000) == .whole)
    }

    @Test("an empty file has no byte to serve")
    func emptyFile() {
        #expect(ByteRangeRequest(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=-1", size: 0) == .unsatisfiable)
    }
}
