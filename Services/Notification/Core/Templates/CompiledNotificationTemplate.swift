import Contracts
import Mustache

/// A template that passed ``TemplateCheck``: its parts parsed by swift-mustache, each with
/// its content type, ready to render any number of times (it holds no per-render state).
public struct CompiledNotificationTemplate: Sendable {
    public let channel: NotificationChannel
    let subject: MustacheTemplate
    let text: MustacheTemplate
    let html: MustacheTemplate?
}
