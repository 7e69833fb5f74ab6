import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

// The document's enums as argument values: `--phase plan`, `--risk high`. ArgumentParser
// lists their wire names in help and refuses anything else as a usage error.
extension Components.Schemas.Phase: ExpressibleByArgument {}
extension Components.Schemas.Status: ExpressibleByArgument {}
extension Components.Schemas.ReleaseType: ExpressibleByArgument {}
extension Components.Schemas.Level: ExpressibleByArgument {}
extension Components.Schemas.Risk: ExpressibleByArgument {}
extension Components.Schemas.AssignmentPolicy: ExpressibleByArgument {}
extension Components.Schemas.Priority: ExpressibleByArgument {}
extension Components.Schemas.CIClass: ExpressibleByArgument {}
extension Components.Schemas.CIRelationshipKind: ExpressibleByArgument {}
extension Components.Schemas.Role: ExpressibleByArgument {}
extension Components.Schemas.ExitCriterionInput.severityPayload: ExpressibleByArgument {}
extension Components.Schemas.CIImport.formatPayload: ExpressibleByArgument {}
extension Components.Schemas.FreezeWindowInput.kindPayload: ExpressibleByArgument {}

/// A release key argument (`REL-000042`, `rel-42`, `42`), in the API's form.
struct ReleaseKey: ExpressibleByArgument, Sendable {
    let text: String

    init?(argument: String) {
        guard let key = KeyArgument.releaseKey(argument) else { return nil }
        text = key
    }
}

/// A CI key argument (`CI-APP-0001`, any case).
struct CIKey: ExpressibleByArgument, Sendable {
    let text: String

    init?(argument: String) {
        guard let key = KeyArgument.ciKey(argument) else { return nil }
        text = key
    }
}

/// A date argument: RFC 3339, or `YYYY-MM-DD` for midnight UTC.
struct DateArgument: ExpressibleByArgument, Sendable {
    let date: Date

    init?(argument: String) {
        guard let date = DateText.parseArgument(argument) else { return nil }
        self.date = date
    }
}

/// A template or group name (`^[a-z0-9][a-z0-9_.-]{0,63}$`).
struct ConfigurationNameArgument: ExpressibleByArgument, Sendable {
    let text: String

    init?(argument: String) {
        guard ConfigurationName.isValid(argument) else { return nil }
        text = argument
    }
}

