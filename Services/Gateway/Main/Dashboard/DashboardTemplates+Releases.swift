extension DashboardTemplates {
    /// The release list with its filters (a GET form: the filtered list has an address).
    static let releases = """
        {{> header}}<h1>Releases</h1>
        {{#refused}}<p class="error" role="alert">These filters had a value that is not one of their choices and were left out: {{.}}.</p>{{/refused}}
        <form method="get" action="/ui/releases" class="filters">
        {{#filters}}<p><label for="{{name}}">{{label}}</label><select id="{{name}}" name="{{name}}"><option value="">any</option>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select></p>
        {{/filters}}<p><label for="q">Title contains</label><input id="q" name="q" value="{{q}}" maxlength="200"></p>
        <p><button type="submit">Filter</button></p>
        </form>
        <table>
        <caption>Releases</caption>
        <thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Phase</th><th scope="col">Status</th><th scope="col">Priority</th><th scope="col">Work plan</th></tr></thead>
        <tbody>
        {{#releases}}<tr><td><a href="/ui/releases/{{key}}">{{key}}</a></td><td>{{title}}</td><td>{{phase}}</td><td>{{status}}</td><td>{{priority}}</td><td>{{#percent}}<progress max="100" value="{{.}}" aria-label="work plan progress">{{.}}%</progress> {{.}}%{{/percent}}{{^percent}}no work plan{{/percent}}</td></tr>
        {{/releases}}{{^releases}}<tr><td colspan="6">No release matches these filters.</td></tr>
        {{/releases}}</tbody>
        </table>
        {{#next}}<p><a href="{{.}}">Next page</a></p>{{/next}}
        {{> footer}}
        """
}
