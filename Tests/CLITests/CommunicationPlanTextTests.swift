import CLICore
import Testing

@Suite("notify plan: when a scheduled send is due")
struct CommunicationPlanTextTests {
    @Test("an offset in its largest whole unit, before or after the start; an outcome by name")
    func when() {
        #expect(CommunicationPlanText.when(offsetSeconds: -86_400, outcome: nil) == "1d before start")
        #expect(CommunicationPlanText.when(offsetSeconds: -3_600, outcome: nil) == "1h before start")
        #expect(CommunicationPlanText.when(offsetSeconds: 5_400, outcome: nil) == "90m after start")
        #expect(CommunicationPlanText.when(offsetSeconds: 61, outcome: nil) == "61s after start")
        #expect(CommunicationPlanText.when(offsetSeconds: 0, outcome: nil) == "at start")
        #expect(CommunicationPlanText.when(offsetSeconds: nil, outcome: "backed_out") == "on backed out")
    }
}
