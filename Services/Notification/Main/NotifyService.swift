import Foundation
import Messaging
import NotificationCore
import Postgres
import ServiceKit

/// shipboard-notify: keeps every event of a release's life, decides who is told (role
/// defaults, subscriptions, preferences), renders the templates, and delivers by email,
/// webhook, chat and in the app ([`DeliveryDispatcher`]); sends the communication plans'
/// messages on time and the daily digests ([`BriefingScheduler`]). Any number of replicas.
@main
struct NotifyService {
    static func main() async {
        let wake = WakeSignal()
        await StandardService(
            name: "shipboard-notify",
            summary: "stakeholder notifications: subscriptions, templates, email, webhook, chat, in-app, briefings",
            defaultHTTPPort: 8085, schema: "notify", queue: "notify.commands", eventQueue: "notify.events",
            variables: NotifySettings.documentation, readSettings: NotifySettings.init(reader:),
            migrationsDirectory: \.migrationsDirectory,
            handlers: { settings in
                let links = NotificationLinks(baseURL: settings.baseURL)
                var handlers = EventIntake(schemas: NotifySchemas(), links: links).handlers()
                NotifyCommandHandlers(schemas: NotifySchemas(), links: links).register(into: &handlers)
                return handlers
            },
            extraServices: { context, settings in
                let (sender, client) = ChannelSenders.make(
                    smtp: settings.smtp, signer: settings.webhookSigner, policy: settings.policy, timeout: settings.timeout)
                return [
                    DeliveryWakeListener(
                        database: context.database, channel: EventIntake.wakeChannel(schema: "notify"), wake: wake, logger: context.logger),
                    DeliveryDispatcher(
                        settings: settings.dispatcher, schema: "notify", pool: context.pool, sender: sender, wake: wake,
                        logger: context.logger),
                    HTTPClientShutdown(client: client),
                    BriefingScheduler(
                        schemas: NotifySchemas(), links: NotificationLinks(baseURL: settings.baseURL), pool: context.pool,
                        digestHourUTC: settings.digestHour, logger: context.logger),
                ]
            }
        ).run()
    }
}
