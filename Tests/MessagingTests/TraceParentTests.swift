import Messaging
import Testing

/// The W3C traceparent the gateway starts or continues (a pure type: no servers needed).
@Suite("TraceParent")
struct TraceParentTests {
    @Test("a fresh trace is a well-formed version-00 traceparent that parses back to itself")
    func freshIsWellFormed() throws {
        for _ in 0..<200 {
            let trace = TraceParent.fresh()
            #expect(trace.traceID.utf8.count == 32 && trace.parentID.utf8.count == 16 && trace.flags == "00")
            #expect(trace.traceID.utf8.allSatisfy { "0123456789abcdef".utf8.contains($0) })
            #expect(TraceParent(trace.description) == trace)
        }
    }

    @Test("fresh ids differ from one another; a child keeps the trace and gets a new parent")
    func idsAreFresh() {
        let traces = (0..<1_000).map { _ in TraceParent.fresh() }
        #expect(Set(traces.map(\.traceID)).count == traces.count)
        let parent = traces[0]
        let child = parent.child()
        #expect(child.traceID == parent.traceID && child.flags == parent.flags)
        #expect(child.parentID != parent.parentID && child.parentID.utf8.count == 16)
    }

    @Test("anything but an exact version-00 traceparent with non-zero ids is refused")
    func malformedIsRefused() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceParent(valid)?.description == valid)
        for text in [
            "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473\u{0}-00f067aa0ba902b7-01",
        ] {
            #expect(TraceParent(text) == nil, "accepted \(text.debugDescription)")
        }
    }
}
