import Contracts
import GatewayCore
import Hummingbird
import Logging
import Postgres

/// Turns every failure of a dashboard route into a page, in one place (what
/// ``ProblemMiddleware`` is for the API):
///
/// - PostgreSQL away or too slow: 503 with `Retry-After`, a page that says to try again; the
///   gateway recovers by itself once the database is back (nothing is cached here).
/// - A refusal (`CommandError`) a route did not answer itself: its status, its message.
/// - Anything else: a 500 page that says nothing more, logged with the request id.
/// - Hummingbird's own HTTP errors (an unknown route) go on as they are.
struct DashboardProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let pages: DashboardPages
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            throw error
        } catch let refusal as CommandError {
            return pages.problem(.init(code: HTTPProblemStatus.code(for: refusal.kind)), "Request refused", refusal.message, session: nil)
        } catch {
            switch PostgresFailureKind(classifying: error) {
            case .unavailable, .timeout:
                var page = pages.problem(
                    .serviceUnavailable, "Try again shortly", "The database is not available right now. Try again in a moment.",
                    session: nil)
                page.headers[.retryAfter] = "5"
                return page
            case .conflict, .permanent:
                logger.error("dashboard page failed", metadata: [
                    "request.id": "\(RequestScope.current?.requestID ?? "-")", "error": "\(String(reflecting: type(of: error)))",
                ])
                return pages.problem(.internalServerError, "Something went wrong", "The page could not be shown; the error is logged.",
                                     session: nil)
            }
        }
    }
}
