import Foundation

extension ServiceConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// One line for the start-up log, with URL passwords shown as `***`.
    public var description: String {
        "\(serviceName): database \(Self.redacted(databaseURL)), broker \(Self.redacted(amqpURL)), "
            + "http \(httpHost):\(httpPort), log \(logFormat.rawValue) \(logLevel.rawValue), "
            + "shutdown timeout \(ConfigurationReader.format(shutdownTimeout))"
    }

    /// The same as `description`: `String(reflecting:)` must not bypass the redaction.
    public var debugDescription: String { description }

    /// Reflection (`dump`, default `print` of an enclosing struct) sees redacted URLs only.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "serviceName": serviceName, "databaseURL": Self.redacted(databaseURL), "amqpURL": Self.redacted(amqpURL),
                "httpHost": httpHost, "httpPort": httpPort, "logFormat": logFormat, "logLevel": logLevel,
                "shutdownTimeout": shutdownTimeout,
            ],
            displayStyle: .struct)
    }

    /// `url` with its password and any `password` query item replaced by `***`; a URL that
    /// cannot be parsed is not shown at all, since its password cannot be found to hide it.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil else { return "<unparsable URL>" }
        if components.password != nil { components.password = "***" }
        components.queryItems = components.queryItems?.map { item in
            ConfigurationReader.looksSecret(item.name) || item.name.lowercased() == "pass"
                ? URLQueryItem(name: item.name, value: "***") : item
        }
        return components.string ?? "<unparsable URL>"
    }
}
