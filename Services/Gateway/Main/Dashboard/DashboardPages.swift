import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import NIOCore
import Mustache

/// Renders the dashboard's templates (``DashboardTemplates``, parsed once) into responses
/// that no other origin can frame or script: a strict Content-Security-Policy (inline style
/// only; scripts and event streams from this origin only, never inline; forms post to this
/// origin), `nosniff`, no caching of pages that hold a CSRF token.
struct DashboardPages: Sendable {
    let library: MustacheLibrary

    init() throws {
        library = MustacheLibrary(templates: [
            "header": try MustacheTemplate(string: DashboardTemplates.header),
            "footer": try MustacheTemplate(string: DashboardTemplates.footer),
            "problem": try MustacheTemplate(string: DashboardTemplates.problem),
            "login": try MustacheTemplate(string: DashboardTemplates.login),
            "releases": try MustacheTemplate(string: DashboardTemplates.releases),
            "release": try MustacheTemplate(string: DashboardTemplates.release),
            "rollout": try MustacheTemplate(string: DashboardTemplates.rollout),
            "releaseDetails": try MustacheTemplate(string: DashboardTemplates.releaseDetails),
            "calendar": try MustacheTemplate(string: DashboardTemplates.calendar),
        ])
    }

    /// `template` rendered with `values`, plus what the header shows of `session`.
    func page(
        _ template: String, title: String, _ values: [String: Any], session: DashboardSession? = nil,
        status: HTTPResponse.Status = .ok, cookies: [HTTPField] = []
    ) -> Response {
        var context = values
        context["pageTitle"] = title
        if let session {
            context["signedIn"] = [
                "name": session.user.name, "roles": session.user.roles.sorted().map(\.rawValue).joined(separator: ", "),
                "csrf": session.csrfToken ?? "",
            ]
        }
        let html = library.render(context, withTemplate: template) ?? ""
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            HTTPField.Name("Content-Security-Policy")!:
                "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
        headers.append(contentsOf: cookies)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A refusal page: `status` with a heading and a detail that names no object.
    func problem(_ status: HTTPResponse.Status, _ heading: String, _ detail: String, session: DashboardSession?, back: String = "/ui/releases") -> Response {
        page("problem", title: heading, ["heading": heading, "detail": detail, "back": back], session: session, status: status)
    }

    /// The 403 for a form whose CSRF token is missing or not the session's.
    func forgedForm(session: DashboardSession?) -> Response {
        problem(.forbidden, "Form refused",
                "This form was not sent from a page of this session (its security token is missing or wrong). Reload the page and try again.",
                session: session)
    }

    /// 303 See Other to `location` (after a form: a reload does not send it again).
    static func redirect(_ location: String, cookies: [HTTPField] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        headers.append(contentsOf: cookies)
        return Response(status: .seeOther, headers: headers)
    }
}

extension DashboardPages {
    /// The 403 for a user whose roles do not allow the page or the action.
    func notAllowed(session: DashboardSession?) -> Response {
        problem(.forbidden, "Not allowed", "Your role does not allow this.", session: session)
    }

    /// The 404 for a release that does not exist (the key is not repeated back).
    func unknownRelease(session: DashboardSession?) -> Response {
        problem(.notFound, "No such release", "There is no release at this address.", session: session)
    }
}
