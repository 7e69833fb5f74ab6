import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime

/// A release's delivery log (as JSON pages, or as CSV) and its communication plan, read from
/// shipboard-notify's tables (issue 14). Each route first checks that the release exists (404).
extension GatewayAPIHandler {
    func listReleaseNotifications(
        _ input: Operations.listReleaseNotifications.Input
    ) async throws -> Operations.listReleaseNotifications.Output {
        let query = input.query
        let filter = try DeliveryFilter(
            state: query.state?.rawValue, channel: query.channel?.rawValue, recipient: query.recipient, limit: query.limit ?? 50,
            cursor: query.cursor)
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(try APIValue.convert(try await notifications.deliveries(of: key, filter)))))
    }

    func exportReleaseNotifications(
        _ input: Operations.exportReleaseNotifications.Input
    ) async throws -> Operations.exportReleaseNotifications.Output {
        let query = input.query
        let filter = try DeliveryFilter(state: query.state?.rawValue, channel: query.channel?.rawValue, recipient: query.recipient, limit: nil)
        let key = try await existingRelease(input.path.key)
        let log = try await notifications.deliveries(of: key, filter)
        return .ok(.init(body: .csv(HTTPBody(DeliveryLogCSV.render(log.items)))))
    }

    func getCommunicationPlan(_ input: Operations.getCommunicationPlan.Input) async throws -> Operations.getCommunicationPlan.Output {
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(.init(releaseKey: key, items: try APIValue.convert(try await notifications.plan(of: key))))))
    }
}
