import Contracts
import Crypto
import Foundation
import Messaging
import Postgres

/// The CMDB command handlers of shipboard-planning: upsert a CI, relate and unrelate two
/// CIs, import many. Each validates its input, writes through ``CIStore`` in the consumer's
/// inbox transaction, appends to the audit trail under the chain key ``auditChainKey``
/// and publishes a `ci.*` event through the outbox, so the change, its audit entry and its
/// event commit together or not at all.
///
/// A dependency that closes a cycle is recorded, not refused: a CMDB records what is, and
/// ITIL CMDBs report cycles rather than forbid them. The reply and the event say
/// `createsCycle`, and ``CIRepository/findCycles()`` lists every cycle.
public struct ConfigurationItemCommandHandlers: Sendable {
    /// The audit chain of CMDB edits. CI changes belong to no release, and `audit_log`
    /// has no foreign key on `release_key`, so they form one chain of their own, verified
    /// like a release's (`AuditTrail.verify(chain: "CMDB", …)`).
    public static let auditChainKey = "CMDB"
    /// Import issues listed in a refusal's fields; the message gives the full count.
    static let maxListedIssues = 100

    let schema: String
    let audit: AuditTrail

    public init(schema: String = PlanningSchema.name, auditKeys: AuditKeyring) {
        self.schema = schema
        self.audit = AuditTrail(schema: schema, keyring: auditKeys)
    }

    /// Adds the CI command handlers to `handlers`. Each takes the CMDB lock (the chain lock of
    /// ``auditChainKey``) before it reads or writes, so CMDB commands apply one at a time: two
    /// relates A→B and B→A at once cannot both see no cycle, and overlapping imports cannot
    /// deadlock on each other's rows.
    public func register(into handlers: inout MessageHandlers) {
        onCMDBCommand(UpsertConfigurationItem.self, into: &handlers, upsert)
        onCMDBCommand(RelateConfigurationItems.self, into: &handlers, relate)
        onCMDBCommand(UnrelateConfigurationItems.self, into: &handlers, unrelate)
        onCMDBCommand(ImportConfigurationItems.self, into: &handlers, importItems)
    }

    /// Registers `handler`, run after the CMDB lock is taken.
    private func onCMDBCommand<Command: CommandContract>(
        _ type: Command.Type, into handlers: inout MessageHandlers,
        _ handler: @escaping @Sendable (Envelope<Command>, HandlerContext) async throws -> Command.Result
    ) {
        handlers.onPlanningCommand(type) { envelope, context in
            try await lockCMDB(context)
            return try await handler(envelope, context)
        }
    }

    private func lockCMDB(_ context: HandlerContext) async throws {
        try await audit.lockChain(Self.auditChainKey, in: context.transaction)
    }

    private func upsert(
        _ envelope: Envelope<UpsertConfigurationItem>, _ context: HandlerContext
    ) async throws -> ConfigurationItemUpserted {
        let command = envelope.payload
        let name = command.name.trimmingCharacters(in: .whitespaces)
        let attributes = command.attributes ?? [:]
        var fields: [String: String] = [:]
        fields["key"] = CIFieldRules.keyProblem(command.key)
        fields["name"] = CIFieldRules.nameProblem(name)
        fields["class"] = CIFieldRules.classProblem(command.ciClass)
        fields["site"] = CIFieldRules.siteProblem(command.site)
        fields["attributes"] = CIFieldRules.attributesProblem(attributes)
        guard fields.isEmpty else {
            throw CommandError(.validation, "the CI cannot be stored as given", rule: "cis.well_formed", fields: fields)
        }
        let item = ConfigurationItem(key: command.key, name: name, ciClass: command.ciClass, site: command.site, attributes: attributes)
        let created = try await CIStore(schema: schema).upsert(item, in: context.transaction)
        var details = ["key": item.key, "name": name, "class": item.ciClass.rawValue, "created": String(created)]
        details["site"] = item.site
        let head = try await audit(envelope.actor, CIUpserted.messageType, details, context)
        try await context.publish(
            CIUpserted(key: item.key, actor: envelope.actor, created: created, ciClass: item.ciClass, site: item.site),
            auditHead: head)
        return ConfigurationItemUpserted(key: item.key, created: created)
    }

    private func relate(
        _ envelope: Envelope<RelateConfigurationItems>, _ context: HandlerContext
    ) async throws -> ConfigurationItemsRelated {
        let command = envelope.payload
        let relationship = try validated(CIRelationship(source: command.source, target: command.target, kind: command.kind))
        let store = CIStore(schema: schema)
        let added: Bool
        do {
            added = try await store.addRelationship(relationship, in: context.transaction)
        } catch CIRepositoryError.unknownKeys(let keys) {
            throw CommandError(
                .notFound, "no CI has the key \(keys.joined(separator: ", "))", rule: "cis.exist",
                fields: Dictionary(uniqueKeysWithValues: keys.map { ($0 == command.source ? "source" : "target", "unknown CI \($0)") }))
        }
        guard added else { return ConfigurationItemsRelated(changed: false) }
        // After the insert, a path back from the target to the source means the new edge closed a cycle.
        let createsCycle = CIRelationshipKind.dependencyKinds.contains(relationship.kind)
            ? try await store.dependsTransitively(relationship.target, on: relationship.source, in: context.transaction) : false
        let head = try await audit(
            envelope.actor, CIRelated.messageType, details(relationship, ["createsCycle": String(createsCycle)]), context)
        try await context.publish(
            CIRelated(source: relationship.source, kind: relationship.kind, target: relationship.target, actor: envelope.actor,
                      createsCycle: createsCycle),
            auditHead: head)
        return ConfigurationItemsRelated(changed: true, createsCycle: createsCycle)
    }

    private func unrelate(
        _ envelope: Envelope<UnrelateConfigurationItems>, _ context: HandlerContext
    ) async throws -> ConfigurationItemsRelated {
        let command = envelope.payload
        let relationship = try validated(CIRelationship(source: command.source, target: command.target, kind: command.kind))
        // Nothing removed, nothing to audit or announce: the request is answered as a no-op.
        guard try await CIStore(schema: schema).removeRelationship(relationship, in: context.transaction) else {
            return ConfigurationItemsRelated(changed: false)
        }
        let head = try await audit(envelope.actor, CIUnrelated.messageType, details(relationship, [:]), context)
        try await context.publish(
            CIUnrelated(source: relationship.source, kind: relationship.kind, target: relationship.target, actor: envelope.actor),
            auditHead: head)
        return ConfigurationItemsRelated(changed: true)
    }

    private func validated(_ relationship: CIRelationship) throws(CommandError) -> CIRelationship {
        let fields = CIFieldRules.relationshipProblems(relationship)
        guard fields.isEmpty else {
            throw CommandError(.validation, "the relationship is malformed", rule: "cis.relationship_well_formed", fields: fields)
        }
        return relationship
    }

    private func details(_ relationship: CIRelationship, _ extra: [String: String]) -> [String: String] {
        ["source": relationship.source, "kind": relationship.kind.rawValue, "target": relationship.target].merging(extra) { $1 }
    }

    /// Appends a CMDB entry to the audit trail, in the handler's transaction.
    /// Returns the chain's new head, which the entry's event carries.
    private func audit(
        _ actor: String, _ action: String, _ details: [String: String], _ context: HandlerContext
    ) async throws -> AuditHead {
        try await audit.appendToSharedChain(
            Self.auditChainKey, actor: actor, action: action, details: details, serializedBy: .chainLockHeld,
            in: context.transaction
        ).head
    }
}

extension ConfigurationItemCommandHandlers {
    private func importItems(
        _ envelope: Envelope<ImportConfigurationItems>, _ context: HandlerContext
    ) async throws -> ConfigurationItemsImported {
        let command = envelope.payload
        let bytes = command.content.utf8.count
        guard bytes <= ImportConfigurationItems.maxContentBytes else {
            throw CommandError(
                .validation, "the import is \(bytes) bytes; the limit is \(ImportConfigurationItems.maxContentBytes)",
                rule: "cis.import_size", fields: ["content": "must be at most \(ImportConfigurationItems.maxContentBytes) bytes"])
        }
        let document = try CIImportDocument.parse(command.content, format: command.format)
        let options = CIRepository.ImportOptions(dryRun: command.dryRun ?? false, createOnly: command.createOnly ?? false)
        let summary: CIRepository.ImportSummary
        do {
            summary = try await CIStore(schema: schema).importDocument(document, options: options, in: context.transaction)
        } catch let refusal as CIImportError {
            throw Self.commandError(refusal)
        }
        let reply = ConfigurationItemsImported(
            items: summary.items, relationshipsAdded: summary.relationshipsAdded, created: summary.created,
            updated: summary.items - summary.created, dryRun: summary.dryRun ? true : nil)
        // A dry run changed nothing: nothing to audit or announce.
        if summary.dryRun { return reply }
        // The digest identifies exactly what was imported, so an auditor can match a kept file to the entry.
        let digest = LowercaseHex.encode(SHA256.hash(data: Data(command.content.utf8)))
        let head = try await audit(
            envelope.actor, CIImported.messageType,
            ["format": command.format.rawValue, "bytes": String(bytes), "sha256": digest, "items": String(summary.items),
             "created": String(summary.created), "relationshipsAdded": String(summary.relationshipsAdded),
             "createOnly": String(options.createOnly)], context)
        try await context.publish(
            CIImported(actor: envelope.actor, format: command.format, items: summary.items, relationshipsAdded: summary.relationshipsAdded),
            auditHead: head)
        return reply
    }

    /// Every issue as a field `line N` (`document` for line 0) → `field: message`; several
    /// issues on one line are joined with `; `. Lists at most ``maxListedIssues``.
    static func commandError(_ refusal: CIImportError) -> CommandError {
        var fields: [String: String] = [:]
        for issue in refusal.issues.prefix(maxListedIssues) {
            let name = issue.line == 0 ? "document" : "line \(issue.line)"
            let text = "\(issue.field): \(issue.message)"
            fields[name] = fields[name].map { "\($0); \(text)" } ?? text
        }
        let shown = refusal.issues.count > maxListedIssues ? " (the first \(maxListedIssues) are listed)" : ""
        return CommandError(
            .validation, "nothing was imported: \(refusal.issues.count) problem(s) found\(shown)",
            rule: "cis.import_valid", fields: fields)
    }
}
