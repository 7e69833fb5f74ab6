import ServiceLifecycle

/// Thrown by ``ServiceMain/run(services:configuration:logger:)`` when a service returned
/// although nobody asked it to stop: a consumer loop or server that ends on its own is a fault.
public struct ServiceStoppedUnexpectedly: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service's type name.
    public let service: String

    public var description: String { "\(service) returned before shutdown was requested" }
}

/// Wraps a service in a group run by ``ServiceMain``: turns a return without a shutdown
/// request into ``ServiceStoppedUnexpectedly``.
struct SupervisedService: Service, CustomStringConvertible {
    let service: any Service
    let description: String

    init(_ service: any Service) {
        self.service = service
        self.description = Self.name(of: service)
    }

    func run() async throws {
        try await service.run()
        if !Task.isShuttingDownGracefully && !Task.isCancelled {
            throw ServiceStoppedUnexpectedly(service: description)
        }
    }

    /// How a service is named in logs: its `description` if it chose one, else its type.
    ///
    /// Never the default reflection of a struct, which would print every stored property,
    /// a database URL with its password included.
    static func name(of service: any Service) -> String {
        if let described = service as? any CustomStringConvertible { return described.description }
        return String(describing: type(of: service))
    }
}
