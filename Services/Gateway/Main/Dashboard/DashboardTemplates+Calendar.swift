extension DashboardTemplates {
    /// The release calendar: a GET form for its days, links to the stretches before and after,
    /// and one table of scheduled releases and freeze occurrences, earliest first.
    static let calendar = """
        {{> header}}<h1>Release calendar</h1>
        {{#refused}}<p class="error" role="alert">These fields were not days of a stretch of at most 92 days and were left out: {{.}}. Showing this month.</p>{{/refused}}
        <form method="get" action="/ui/calendar" class="filters">
        <p><label for="from">First day</label><input id="from" name="from" type="date" value="{{from}}" required></p>
        <p><label for="to">Last day</label><input id="to" name="to" type="date" value="{{to}}" required></p>
        <p><button type="submit">Show</button></p>
        </form>
        <p><a href="{{previous}}">Previous {{days}} days</a> · <a href="{{next}}">Next {{days}} days</a></p>
        <table><caption>Scheduled releases and freeze windows from {{from}} to {{to}} (times in UTC)</caption>
        <thead><tr><th scope="col">What</th><th scope="col">Name</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col">Details</th></tr></thead>
        <tbody>{{#entries}}<tr{{#freeze}} class="freeze"{{/freeze}}><td>{{kind}}</td><td>{{#link}}<a href="{{.}}">{{name}}</a>{{/link}}{{^link}}{{name}}{{/link}}</td><td>{{start}}</td><td>{{end}}</td><td>{{detail}}</td></tr>
        {{/entries}}{{^entries}}<tr><td colspan="5">Nothing is scheduled and no freeze window is in force in these days.</td></tr>{{/entries}}</tbody></table>
        {{> footer}}
        """
}
