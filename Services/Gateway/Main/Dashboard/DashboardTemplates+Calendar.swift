extension DashboardTemplates {
    /// The release calendar: a GET form for its days, links to the stretches before and after,
    /// the days as a grid of weeks, and the scheduled releases and freeze occurrences in order.
    static let calendar = """
        {{> header}}<h1>Release calendar</h1>
        {{#refused}}<p class="error" role="alert">These fields were not days of a stretch of at most 92 days and were left out: {{.}}. Showing this month.</p>{{/refused}}
        <form method="get" action="/ui/calendar" class="filters">
        <p><label for="from">First day</label><input id="from" name="from" type="date" value="{{from}}" required></p>
        <p><label for="to">Last day</label><input id="to" name="to" type="date" value="{{to}}" required></p>
        <p><button type="submit">Show</button></p>
        </form>
        <p><a href="{{previous}}">Previous {{stretch}}</a> · <a href="{{next}}">Next {{stretch}}</a></p>
        <h2>By day</h2>
        <table class="month"><caption>Days from {{from}} to {{to}} (UTC), weeks from Monday</caption>
        <thead><tr>{{#weekdays}}<th scope="col">{{.}}</th>{{/weekdays}}</tr></thead>
        <tbody>{{#weeks}}<tr>{{#days}}<td{{^inRange}} class="outside"{{/inRange}}>{{#inRange}}<time datetime="{{date}}">{{day}}</time>{{#hasItems}}<ul>{{#items}}<li{{#freeze}} class="freeze"{{/freeze}}>{{#link}}<a href="{{.}}">{{label}}</a>{{/link}}{{^link}}{{label}}{{/link}}</li>{{/items}}</ul>{{/hasItems}}{{/inRange}}</td>{{/days}}</tr>
        {{/weeks}}</tbody></table>
        <h2>In order</h2>
        <table><caption>Scheduled releases and freeze windows from {{from}} to {{to}} (times in UTC)</caption>
        <thead><tr><th scope="col">What</th><th scope="col">Name</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col">Details</th></tr></thead>
        <tbody>{{#entries}}<tr{{#freeze}} class="freeze"{{/freeze}}><td>{{kind}}</td><td>{{#link}}<a href="{{.}}">{{name}}</a>{{/link}}{{^link}}{{name}}{{/link}}</td><td>{{start}}</td><td>{{end}}</td><td>{{detail}}</td></tr>
        {{/entries}}{{^entries}}<tr><td colspan="5">Nothing is scheduled and no freeze window is in force in these days.</td></tr>{{/entries}}</tbody></table>
        {{> footer}}
        """
}
