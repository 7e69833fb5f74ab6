/// How `shipboard notify plan` says when a scheduled send goes out: an offset from the
/// deployment's start in the largest whole unit (`24h before start`, `30m after start`), or
/// the outcome it waits for (`on completed`).
public enum CommunicationPlanText {
    public static func when(offsetSeconds: Int?, outcome: String?) -> String {
        if let outcome { return "on \(outcome.replacingOccurrences(of: "_", with: " "))" }
        guard let offsetSeconds else { return "" }
        if offsetSeconds == 0 { return "at start" }
        let side = offsetSeconds < 0 ? "before" : "after"
        let seconds = abs(offsetSeconds)
        let amount = switch seconds {
        case let value where value % 86_400 == 0: "\(value / 86_400)d"
        case let value where value % 3_600 == 0: "\(value / 3_600)h"
        case let value where value % 60 == 0: "\(value / 60)m"
        default: "\(seconds)s"
        }
        return "\(amount) \(side) start"
    }
}
