import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import OpenAPIRuntime

/// The release status report and the portfolio report (issue 15), as HTML or CSV
/// (``ReportFormat``). The dashboard's report pages call ``releaseReport(_:)`` and
/// ``portfolioReport(from:to:)`` too, so both edges print the same document.
extension GatewayAPIHandler {
    var reports: ReportQueries { ReportQueries(pool: pool) }

    func getReleaseReport(_ input: Operations.getReleaseReport.Input) async throws -> Operations.getReleaseReport.Output {
        let format = try ReportFormat(parsing: input.query.format?.rawValue)
        let report = try await releaseReport(input.path.key)
        switch format {
        case .html: return .ok(.init(body: .html(HTTPBody(ReleaseReportHTML.render(report)))))
        case .csv: return .ok(.init(body: .csv(HTTPBody(ReleaseReportCSV.render(report)))))
        }
    }

    func getPortfolioReport(_ input: Operations.getPortfolioReport.Input) async throws -> Operations.getPortfolioReport.Output {
        let format = try ReportFormat(parsing: input.query.format?.rawValue)
        let report = try await portfolioReport(from: input.query.from, to: input.query.to)
        switch format {
        case .html: return .ok(.init(body: .html(HTTPBody(report.html))))
        case .csv: return .ok(.init(body: .csv(HTTPBody(report.csv))))
        }
    }

    /// Release `key`'s report (``ReportQueries/release(_:now:verify:)``: 400 for a key that is
    /// not key-shaped, 404 for an unknown release). The audit verdict is planning's, as
    /// ``verifyReleaseAudit(_:)`` sends it; a timeout or a refusal prints as "unverified".
    func releaseReport(_ key: String) async throws -> ReleaseReport {
        let commands = commands
        return try await reports.release(key) { key in
            do {
                return ReleaseReport.Verdict(try await commands.send(
                    VerifyAuditTrail(releaseKey: key), operation: "verifyReleaseAudit", idempotencyKey: nil, correlation: key))
            } catch {
                return .unverified
            }
        }
    }

    func portfolioReport(from: String?, to: String?) async throws -> PortfolioReport {
        try await reports.portfolio(try PortfolioRange(from: from, to: to))
    }
}
