import Mustache

/// The reports' printable pages as Mustache templates: `{{value}}` is HTML-escaped and no
/// template uses the unescaped forms (`{{{…}}}`, `{{&…}}`), so nothing anyone typed reaches
/// the page raw. Each page stands alone: `<meta charset="utf-8">`, the stylesheet inline
/// (with print rules), no script, nothing fetched from anywhere.
enum ReportTemplates {
    /// Parsed once; the templates are constants, so a parse failure is a programming error
    /// that the report tests hit first.
    static let library: MustacheLibrary = {
        do {
            return MustacheLibrary(templates: [
                "head": try MustacheTemplate(string: head), "foot": try MustacheTemplate(string: foot),
                "release": try MustacheTemplate(string: release), "portfolio": try MustacheTemplate(string: portfolio),
            ])
        } catch {
            fatalError("a report template does not parse: \(error)")
        }
    }()

    static func render(_ template: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: template) ?? ""
    }

    static let head = HTMLPageOpening.text + """
        body { font: 14px/1.4 system-ui, sans-serif; color: #111; background: #fff; margin: 1.5rem; }
        h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; }
        table { border-collapse: collapse; margin: .25rem 0 1rem; width: 100%; }
        th, td { border: 1px solid #999; padding: .2rem .4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #eee; } caption { text-align: left; font-weight: bold; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; } dt { font-weight: bold; } dd { margin: 0; }
        .meta { color: #444; } .note { border-left: 4px solid #8b5a00; padding-left: .5rem; }
        .broken { color: #8b0000; font-weight: bold; } .intact { color: #0a5c2f; font-weight: bold; }
        @media print {
          body { margin: 0; font-size: 10pt; } h2 { break-after: avoid; } tr, dl { break-inside: avoid; }
          thead { display: table-header-group; } th { background: none; }
          @page { margin: 15mm; }
        }
        </style>
        </head>
        <body>
        """

    static let foot = """
        <p class="meta">Generated {{generatedAt}} (UTC) by Shipboard.</p>
        </body>
        </html>
        """

    static let release = """
        {{> head}}<h1>Release status report: {{key}}</h1>
        <p class="meta">{{title}}</p>
        {{#notes}}<p class="note">{{.}}</p>
        {{/notes}}<h2>Release</h2>
        <dl>
        <dt>Key</dt><dd>{{key}}</dd><dt>Title</dt><dd>{{title}}</dd><dt>Phase</dt><dd>{{phase}}</dd><dt>Status</dt><dd>{{status}}</dd>
        <dt>Priority</dt><dd>{{priority}}</dd><dt>Requester</dt><dd>{{requester}}</dd><dt>Coordinator</dt><dd>{{coordinator}}</dd>
        <dt>Scheduled</dt><dd>{{scheduledStart}} to {{scheduledEnd}}</dd><dt>Work plan</dt><dd>{{percent}}</dd>
        </dl>
        <h2>Work plan tasks</h2>
        <table><thead><tr><th scope="col">Task</th><th scope="col">Title</th><th scope="col">Phase</th><th scope="col">Group</th><th scope="col">Assignee</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
        <tbody>{{#tasks}}<tr><td>{{key}}</td><td>{{title}}</td><td>{{phase}}</td><td>{{group}}</td><td>{{assignee}}</td><td>{{state}}</td><td>{{startedAt}}</td><td>{{finishedAt}}</td></tr>
        {{/tasks}}{{^tasks}}<tr><td colspan="8">No work plan.</td></tr>{{/tasks}}</tbody></table>
        <h2>Approvals and gate decisions</h2>
        <table><thead><tr><th scope="col">Phase</th><th scope="col">Who</th><th scope="col">Decision</th><th scope="col">When</th><th scope="col">Comment</th></tr></thead>
        <tbody>{{#decisions}}<tr><td>{{phase}}</td><td>{{actor}}</td><td>{{verdict}}</td><td>{{at}}</td><td>{{comment}}</td></tr>
        {{/decisions}}{{^decisions}}<tr><td colspan="5">No decisions yet.</td></tr>{{/decisions}}</tbody></table>
        <h2>Rollout</h2>
        {{#rolloutState}}<p>Latest rollout: {{.}}.</p>
        <table><caption>Per site</caption><thead><tr><th scope="col">Site</th><th scope="col">Targets by state</th></tr></thead>
        <tbody>{{#sites}}<tr><td>{{site}}</td><td>{{counts}}</td></tr>
        {{/sites}}</tbody></table>
        <table><caption>Per target</caption><thead><tr><th scope="col">Target CI</th><th scope="col">Source CI</th><th scope="col">Site</th><th scope="col">Wave</th><th scope="col">Outcome</th><th scope="col">Attempts</th><th scope="col">Finished</th></tr></thead>
        <tbody>{{#targets}}<tr><td>{{target}}</td><td>{{source}}</td><td>{{site}}</td><td>{{wave}}</td><td>{{outcome}}</td><td>{{attempts}}</td><td>{{finishedAt}}</td></tr>
        {{/targets}}</tbody></table>{{/rolloutState}}{{^rolloutState}}<p>No rollout.</p>{{/rolloutState}}
        <h2>Notifications</h2>
        <table><thead><tr><th scope="col">Recipient</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Sent</th></tr></thead>
        <tbody>{{#notifications}}<tr><td>{{recipient}}</td><td>{{channel}}</td><td>{{address}}</td><td>{{event}}</td><td>{{state}}</td><td>{{attempts}}</td><td>{{sentAt}}</td></tr>
        {{/notifications}}{{^notifications}}<tr><td colspan="7">No notifications.</td></tr>{{/notifications}}</tbody></table>
        <h2>Audit trail</h2>
        <dl><dt>Entries</dt><dd>{{auditEntries}}</dd><dt>First</dt><dd>{{auditFirst}}</dd><dt>Last</dt><dd>{{auditLast}}</dd>
        <dt>Verification</dt><dd class="{{auditClass}}">{{auditVerdict}}</dd></dl>
        {{> foot}}
        """

    static let portfolio = """
        {{> head}}<h1>Release portfolio: {{from}} to {{to}}</h1>
        <p class="meta">Releases whose scheduled window overlaps these days (UTC); a release with no schedule counts by the day it was created.</p>
        {{#notes}}<p class="note">{{.}}</p>
        {{/notes}}<table><thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Phase</th><th scope="col">Status</th><th scope="col">Priority</th><th scope="col">Scheduled start</th><th scope="col">Scheduled end</th><th scope="col">Work plan</th><th scope="col">Rollout succeeded</th><th scope="col">Failed</th><th scope="col">Targets</th></tr></thead>
        <tbody>{{#releases}}<tr><td>{{key}}</td><td>{{title}}</td><td>{{phase}}</td><td>{{status}}</td><td>{{priority}}</td><td>{{scheduledStart}}</td><td>{{scheduledEnd}}</td><td>{{percent}}</td><td>{{succeeded}}</td><td>{{failed}}</td><td>{{total}}</td></tr>
        {{/releases}}{{^releases}}<tr><td colspan="11">No release in this range.</td></tr>{{/releases}}</tbody></table>
        {{> foot}}
        """
}
