/// Sizes for people: `512 B`, `1.5 KiB`, `200.0 MiB`, `2.0 GiB` (binary units, one decimal).
public enum ByteSize {
    public static func text(_ bytes: Int64) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        for unit in ["KiB", "MiB", "GiB"] {
            if value < 1024 || unit == "GiB" { return "\(Self.oneDecimal(value)) \(unit)" }
            value /= 1024
        }
        return "\(bytes) B"
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
