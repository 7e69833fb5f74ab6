import Contracts
import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import NIOCore
import PlanningCore

/// The reports in the dashboard (issue 15): a release's status report as a printable page or
/// a CSV download, and the portfolio of a range of days. GETs behind the session (no CSRF
/// token: they change nothing), with the API's roles (``GatewayAccess``) and the API's code
/// (``GatewayAPIHandler/releaseReport(_:)``), so the dashboard prints what the API answers.
extension DashboardRoutes {
    func registerReports(on ui: RouterGroup<GatewayRequestContext>) {
        ui.get("releases/:key/report") { request, context in
            try await releaseReport(request, key: context.parameters.get("key") ?? "", format: .html)
        }
        ui.get("releases/:key/report.csv") { request, context in
            try await releaseReport(request, key: context.parameters.get("key") ?? "", format: .csv)
        }
        ui.get("reports/portfolio") { request, _ in try await portfolioReport(request) }
    }

    func releaseReport(_ request: Request, key: String, format: ReportFormat) async throws -> Response {
        guard let session = try await DashboardSession.current(request, identities: api.identities) else {
            return DashboardPages.redirect("/ui/login")
        }
        guard GatewayAccess.allows("getReleaseReport", roles: session.user.roles) else { return pages.notAllowed(session: session) }
        guard ReleaseKeys.isValid(key) else { return pages.unknownRelease(session: session) }
        do {
            let report = try await asUser(session) { try await api.releaseReport(key) }
            return switch format {
            case .html: Self.report(ReleaseReportHTML.render(report), format: format, fileName: nil)
            case .csv: Self.report(ReleaseReportCSV.render(report), format: format, fileName: format.fileName(key))
            }
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return pages.unknownRelease(session: session)
        }
    }

    /// `?from=&to=&format=`; with neither day given, the current calendar month (UTC), so a
    /// plain link to the page shows something useful.
    func portfolioReport(_ request: Request) async throws -> Response {
        guard let session = try await DashboardSession.current(request, identities: api.identities) else {
            return DashboardPages.redirect("/ui/login")
        }
        guard GatewayAccess.allows("getPortfolioReport", roles: session.user.roles) else { return pages.notAllowed(session: session) }
        let query = FormFields(request.uri.query ?? "")
        var (from, to) = (query["from"], query["to"])
        if from == nil && to == nil { (from, to) = Self.currentMonth() }
        do {
            let format = try ReportFormat(parsing: query["format"])
            let report = try await asUser(session) { try await api.portfolioReport(from: from, to: to) }
            return switch format {
            case .html: Self.report(report.html, format: format, fileName: nil)
            case .csv: Self.report(report.csv, format: format, fileName: format.fileName("portfolio-\(report.range.from)-\(report.range.to)"))
            }
        } catch let refusal as CommandError where refusal.kind == .validation {
            return pages.problem(.badRequest, "Report refused", refusal.message, session: session)
        }
    }

    /// A report as the response: a CSV is an attachment under `fileName` (letters, digits and
    /// `-` only: ``ReportFormat/fileName(_:)``); the HTML page is shown. A report is a document,
    /// not an application: its policy allows inline style and nothing else (no script, no
    /// form, no fetch), stricter than the dashboard's pages.
    static func report(_ text: String, format: ReportFormat, fileName: String?) -> Response {
        var headers: HTTPFields = [
            .contentType: format.contentType, .cacheControl: "no-store",
            HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let fileName { headers[.contentDisposition] = "attachment; filename=\"\(fileName)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func currentMonth(now: Date = Date()) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let month = calendar.dateInterval(of: .month, for: now) ?? DateInterval(start: now, duration: 86_400)
        let day = Date.ISO8601FormatStyle().year().month().day()
        return (month.start.formatted(day), month.end.addingTimeInterval(-86_400).formatted(day))
    }
}
