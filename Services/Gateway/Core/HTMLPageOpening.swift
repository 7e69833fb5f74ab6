/// The start of every HTML page the gateway serves (the dashboard's and the printable
/// reports'): doctype, language, UTF-8 (a page without it is misread by browsers), the
/// viewport, the Mustache `{{pageTitle}}`, and the opening of the inline stylesheet that
/// each kind of page continues with its own rules.
public enum HTMLPageOpening {
    public static let text = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{pageTitle}} · Shipboard</title>
        <style>

        """
}
