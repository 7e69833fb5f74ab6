import Foundation

/// The dashboard's colours, in one place so that each pairing of a foreground with the
/// background it is drawn on can be checked against WCAG 2.x (``contrast(_:_:)``) by a test
/// instead of by eye: text at least 4.5:1, focus outlines and chart marks at least 3:1.
/// The stylesheet and the SVG drawings take their colours from here.
public enum DashboardPalette {
    public static let text = "#1b1b1b", page = "#ffffff", link = "#0b4f9c"
    public static let header = "#12355b", headerText = "#ffffff"
    public static let error = "#8b0000", ok = "#0a5c2f"
    /// Focus outlines on the page and in the dark header.
    public static let focus = "#b35c00", headerFocus = "#ffd27a"
    /// Backgrounds behind text: a passed phase, a CI of the picture, a CI the release changes, a freeze row.
    public static let passed = "#e3eefa", node = "#e3eefa", changedNode = "#fde8c8", freeze = "#fff4e0"
    /// A calendar day outside the days asked for (it holds no text).
    public static let outside = "#f1f1f1"
    /// Chart marks on the page: a Gantt bar, a bar on the critical path, a dependency arrow.
    public static let bar = "#2f5f98", critical = "#a4161a", arrow = "#3a3a3a"
    /// Table and timeline borders.
    public static let rule = "#8a8a8a"

    /// Every pairing drawn, with the ratio it must reach.
    public static let pairings: [(foreground: String, background: String, minimum: Double)] = [
        (text, page, 4.5), (link, page, 4.5), (headerText, header, 4.5), (error, page, 4.5), (ok, page, 4.5),
        (text, passed, 4.5), (text, node, 4.5), (text, changedNode, 4.5), (text, freeze, 4.5), (link, freeze, 4.5),
        (focus, page, 3), (headerFocus, header, 3), (bar, page, 3), (critical, page, 3), (arrow, page, 3),
        (header, node, 3), (header, changedNode, 3), (rule, page, 3), (text, outside, 4.5),
    ]

    /// WCAG 2.x contrast ratio of two `#rrggbb` colours (1 to 21).
    public static func contrast(_ first: String, _ second: String) -> Double {
        let (a, b) = (luminance(first), luminance(second))
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    static func luminance(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        let channels = [(value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }
}
