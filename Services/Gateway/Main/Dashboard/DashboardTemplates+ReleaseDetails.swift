import GatewayCore

extension DashboardTemplates {
    /// The release page's changes, CIs with the picture of their dependencies, notifications
    /// sent (a partial of `release`).
    static let releaseDetails = """
        <h2>Changes</h2>
        <table><caption>Change requests in this release</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">Title</th><th scope="col">Risk</th><th scope="col">Status</th><th scope="col">CIs</th></tr></thead>
        <tbody>{{#changes}}<tr><td>{{id}}</td><td>{{title}}</td><td>{{risk}}</td><td>{{changeStatus}}</td><td>{{cis}}</td></tr>
        {{/changes}}{{^changes}}<tr><td colspan="5">No change request has been added.</td></tr>{{/changes}}</tbody></table>
        <h2>Configuration items</h2>
        <table><caption>CIs the changes name, and those depending on them</caption>
        <thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Class</th><th scope="col">Site</th><th scope="col">Why listed</th></tr></thead>
        <tbody>{{#cis}}<tr><td>{{key}}</td><td>{{name}}</td><td>{{class}}</td><td>{{site}}</td><td>{{role}}</td></tr>
        {{/cis}}{{^cis}}<tr><td colspan="5">No CI is named by a change of this release.</td></tr>{{/cis}}</tbody></table>
        {{#cisOmitted}}<p>{{.}} more CIs are not listed.</p>{{/cisOmitted}}
        {{#ciPicture}}<figure>
        <svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="ci-picture-title">
        <title id="ci-picture-title">Dependencies between {{count}} CIs: each arrow points from a CI to the CI it relies on; CIs this release changes have a thick border</title>
        <defs><marker id="ci-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="\(DashboardPalette.arrow)"/></marker></defs>
        {{#edges}}<line x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}" stroke="\(DashboardPalette.arrow)" stroke-width="1.5" marker-end="url(#ci-arrow)"><title>{{source}} {{kind}} {{target}}</title></line>
        {{/edges}}{{#nodes}}<g><title>{{key}}{{#changed}} (changed by this release){{/changed}}</title><rect x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}" fill="{{#changed}}\(DashboardPalette.changedNode){{/changed}}{{^changed}}\(DashboardPalette.node){{/changed}}" stroke="\(DashboardPalette.header)" stroke-width="{{#changed}}3{{/changed}}{{^changed}}1{{/changed}}"/>
        <text x="{{textX}}" y="{{textY}}" font-size="12" fill="\(DashboardPalette.text)">{{key}}</text></g>
        {{/nodes}}</svg>
        <figcaption>CIs to the left are relied on by those to their right.{{#omitted}} {{.}} more CIs are left out of the picture (at most {{max}} are drawn, the release's own first).{{/omitted}}</figcaption>
        </figure>{{/ciPicture}}
        <h2>Notifications sent</h2>
        <table><caption>Deliveries for this release, oldest first (webhook and chat addresses by host only)</caption>
        <thead><tr><th scope="col">Recipient</th><th scope="col">Channel</th><th scope="col">Address</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Time</th></tr></thead>
        <tbody>{{#deliveries}}<tr><td>{{recipient}}</td><td>{{channel}}</td><td>{{address}}</td><td>{{event}}</td><td>{{deliveryState}}</td><td>{{at}}</td></tr>
        {{/deliveries}}{{^deliveries}}<tr><td colspan="6">Nothing has been sent for this release.</td></tr>{{/deliveries}}</tbody></table>
        {{#deliveriesMore}}<p>Only the first {{.}} deliveries are shown.</p>{{/deliveriesMore}}
        """
}
