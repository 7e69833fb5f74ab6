import CLICore
import Testing

@Suite("CLI error lines")
struct ErrorLineTests {
    @Test("a validation problem: detail, each field by pointer, the rule, on one line")
    func validationProblem() {
        let message = ErrorLine.problemMessage(
            status: 400, type: "urn:shipboard:problem:validation:releases.well_formed", title: "validation",
            detail: "the release is malformed", rule: "releases.well_formed",
            fieldErrors: [("/title", "must be 1 to 200 characters"), ("/risk", "must be low, medium, high or critical")])
        #expect(ErrorLine.render(message)
            == "shipboard: the release is malformed: /title must be 1 to 200 characters; /risk must be low, medium, high or critical (releases.well_formed)")
    }

    @Test("the rule comes from the problem type when the member is missing; none when neither has one")
    func ruleFallback() {
        #expect(ErrorLine.problemMessage(status: 409, type: "urn:shipboard:problem:conflict:lifecycle.stale_view",
                                         title: "conflict", detail: "the release moved on", rule: nil)
            == "the release moved on (lifecycle.stale_view)")
        #expect(ErrorLine.problemMessage(status: 502, type: nil, title: nil, detail: nil, rule: nil)
            == "the server answered HTTP 502")
        #expect(ErrorLine.problemMessage(status: 404, type: "about:blank", title: "Not Found", detail: "", rule: nil)
            == "Not Found")
        #expect(ErrorLine.ruleFromProblemType("urn:shipboard:problem:not_found:releases.exists") == "releases.exists")
        #expect(ErrorLine.ruleFromProblemType("urn:shipboard:problem:oops") == nil)
    }

    @Test("newlines, tabs and escape sequences in a server's text never make a second line")
    func oneLine() {
        #expect(ErrorLine.render("bad\nthing\r\n\there \u{1B}[31mred  ") == "shipboard: bad thing here [31mred")
        let long = ErrorLine.render(String(repeating: "x", count: 5000))
        #expect(long.count == "shipboard: ".count + 2000)
        #expect(long.hasSuffix("…"))
    }
}
