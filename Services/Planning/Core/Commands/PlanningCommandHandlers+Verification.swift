import Contracts
import Messaging

extension PlanningCommandHandlers {
    /// `planning.verify_audit_trail`: the verdict on a release's chain, for the gateway's
    /// `GET /releases/{key}/audit/verification` (only this service holds the keys). Reads only.
    func verifyAuditTrail(_ envelope: Envelope<VerifyAuditTrail>, _ context: HandlerContext) async throws -> AuditTrailVerdict {
        let key = envelope.payload.releaseKey
        switch try await audit.verifyRelease(key, in: context.transaction) {
        case .intact(let entries):
            return AuditTrailVerdict(releaseKey: key, intact: true, entries: entries)
        case .broken(let seq, let reason):
            return AuditTrailVerdict(releaseKey: key, intact: false, brokenAt: seq, reason: reason)
        }
    }
}
