/// Labelled values, one per line, for the `show` commands: labels padded to one column, each
/// value cut to what is left of the width. A field without a value is left out.
public struct FieldList: Sendable {
    public let fields: [(label: String, value: String?)]
    public let width: Int

    public init(_ fields: [(label: String, value: String?)], width: Int = TextTable.standardWidth) {
        self.fields = fields
        self.width = width
    }

    public var text: String {
        let present = fields.compactMap { field in field.value.map { (field.label, CellText.oneLine($0)) } }
        let labelWidth = (present.map { $0.0.count }.max() ?? 0) + 2
        return present.map { label, value in
            let line = label.padding(toLength: labelWidth) + CellText.truncate(value, to: max(1, width - labelWidth))
            return CellText.truncate(line, to: width) + "\n"
        }.joined()
    }
}
