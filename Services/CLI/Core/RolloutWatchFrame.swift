/// How `release watch` redraws a block of lines (the release's status line, then the
/// rollout's summary and a bar per site): on a terminal the cursor goes back up over the
/// lines drawn last and everything below is cleared, so the block changes in place; elsewhere
/// each block is printed as new lines, so nothing is lost and no control characters land in
/// a file. Each line is cut to the terminal's width, since a wrapped line would break the
/// count of lines to go back over.
public struct RolloutWatchFrame: Sendable {
    public let redraw: StatusLineRedraw
    /// Lines on screen from the last frame (terminal only).
    public private(set) var drawnLines = 0

    public init(redraw: StatusLineRedraw) {
        self.redraw = redraw
    }

    /// The bytes that replace the last block with `lines` (no newline after the last line).
    public mutating func frame(_ lines: [String]) -> String {
        guard redraw.isTerminal else { return lines.map { $0 + "\n" }.joined() }
        let up = drawnLines > 1 ? "\u{1B}[\(drawnLines - 1)A" : ""
        drawnLines = lines.count
        return up + "\r\u{1B}[J" + lines.map { CellText.truncate($0, to: redraw.columns - 1) }.joined(separator: "\n")
    }

    /// What ends the block before anything else is printed.
    public var finish: String { redraw.finish }
}

extension RolloutBoard {
    /// The rollout's lines under `release watch`'s status line: its state and totals, then a
    /// bar per site.
    public static func watchLines(_ status: Status, width: Int) -> [String] {
        ["rollout \(status.state) (\(status.image)): " + totals(status.progress)] + siteBars(status.sites, width: width)
    }
}
