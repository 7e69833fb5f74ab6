import Contracts
import Foundation
import GatewayCore
import PlanningCore

extension DashboardRoutes {
    /// Rows of the CI table and of the delivery log shown on the release page (the picture
    /// has its own cap, ``CIDependencyPicture/maxNodes``).
    static let ciRows = 100, deliveryRows = 50

    /// The release page's changes, CIs (table and dependency picture) and notifications sent,
    /// each from the API's own queries: the release's changes, its impact set (the CIs its
    /// changes name and everything depending on them), their relationships, and the delivery log.
    func detailValues(_ release: ReleaseDetail) async throws -> [String: Any] {
        var values: [String: Any] = [
            "changes": release.changes.map { change -> [String: Any] in
                ["id": change.externalID, "title": change.title, "risk": change.risk.rawValue, "changeStatus": change.status.rawValue,
                 "cis": change.affectedCIs.joined(separator: ", ")]
            },
        ]
        let changed = Set(release.changes.flatMap(\.affectedCIs))
        let impact = try await api.releases.impactSet(of: release.key)
        values["cis"] = impact.prefix(Self.ciRows).map { item -> [String: Any] in
            ["key": item.key, "name": item.name, "class": item.ciClass.rawValue, "site": item.site ?? "",
             "role": changed.contains(item.key) ? "changed by this release" : "depends on a changed CI"]
        }
        if impact.count > Self.ciRows { values["cisOmitted"] = impact.count - Self.ciRows }
        let known = changed.union(impact.map(\.key))
        let relationships = try await api.cis.relationships(touching: known.sorted())
        let picture = CIDependencyPicture(
            changed: changed, related: known.union(relationships.flatMap { [$0.source, $0.target] }), relationships: relationships)
        if !picture.nodes.isEmpty { values["ciPicture"] = Self.pictureValues(picture) }
        let log = try await api.notifications.deliveries(of: release.key, try DeliveryFilter(limit: Self.deliveryRows))
        values["deliveries"] = log.items.map { delivery -> [String: Any] in
            ["recipient": delivery.recipient, "channel": delivery.channel, "address": delivery.address ?? "",
             "event": delivery.eventType, "deliveryState": delivery.state, "at": Self.timestamp(delivery.sentAt ?? delivery.createdAt)]
        }
        if log.nextCursor != nil { values["deliveriesMore"] = Self.deliveryRows }
        return values
    }

    static func pictureValues(_ picture: CIDependencyPicture) -> [String: Any] {
        var values: [String: Any] = [
            "width": picture.width, "height": picture.height, "count": picture.nodes.count, "max": CIDependencyPicture.maxNodes,
            "nodes": picture.nodes.map { node -> [String: Any] in
                ["key": node.key, "x": node.x, "y": node.y, "textX": node.x + 6, "textY": node.y + 17, "changed": node.changed,
                 "w": CIDependencyPicture.nodeWidth, "h": CIDependencyPicture.nodeHeight]
            },
            "edges": picture.edges.map { edge -> [String: Any] in
                ["source": edge.source, "target": edge.target, "kind": edge.kind, "x1": edge.x1, "y1": edge.y1, "x2": edge.x2, "y2": edge.y2]
            },
        ]
        if picture.omitted > 0 { values["omitted"] = picture.omitted }
        return values
    }
}
