import CLICore
import Testing

@Suite("CLI exit statuses")
struct CLIExitStatusTests {
    @Test("each HTTP status maps to the status a script branches on", arguments: [
        (200, CLIExitStatus.ok), (201, .ok), (204, .ok),
        (400, .failure), (413, .failure), (500, .failure), (503, .failure), (504, .failure),
        (401, .forbidden), (403, .forbidden), (404, .notFound), (409, .conflict),
    ])
    func mapping(status: Int, expected: CLIExitStatus) {
        #expect(CLIExitStatus(httpStatus: status) == expected)
    }

    @Test("the numbers are the documented ones; 2 stays for local usage errors")
    func numbers() {
        #expect(CLIExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
        #expect(CLIExitStatus(httpStatus: 400) != .usage)
    }

    @Test("a command is resent once, after no answer or a 504, never after another answer")
    func resend() {
        #expect(IdempotentRetry.shouldResend(afterStatus: nil, attempt: 1))
        #expect(IdempotentRetry.shouldResend(afterStatus: 504, attempt: 1))
        #expect(!IdempotentRetry.shouldResend(afterStatus: 504, attempt: 2))
        #expect(!IdempotentRetry.shouldResend(afterStatus: nil, attempt: 2))
        for status in [200, 400, 409, 500, 502, 503] {
            #expect(!IdempotentRetry.shouldResend(afterStatus: status, attempt: 1))
        }
    }
}
