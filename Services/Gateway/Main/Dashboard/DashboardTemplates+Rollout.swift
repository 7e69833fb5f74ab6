extension DashboardTemplates {
    /// The release page's rollout section (a partial of `release`). The ids
    /// `rollout-progress`, `rollout-count` and `rollout-state` and the `data-wave` /
    /// `data-site` attributes are what the live script (and browser tests) read and update:
    /// keep them. Without the script the page shows the state at the time it was rendered.
    static let rollout = """
        <h2 id="rollout-heading">Rollout</h2>
        {{#rollout}}<section id="rollout" aria-labelledby="rollout-heading"{{#live}} data-events="{{.}}"{{/live}}>
        <p>Image {{image}}. State <strong><span id="rollout-state">{{state}}</span></strong>.
        <span id="rollout-live" role="status">{{#live}}Refresh the page to see newer progress.{{/live}}{{^live}}The release is finished; this is the final progress.{{/live}}</span></p>
        <p><progress id="rollout-progress" value="{{overall.done}}" max="{{overall.max}}" aria-label="Rollout progress, all targets">{{overall.done}} of {{overall.max}}</progress>
        <span id="rollout-count">{{overall.text}}</span></p>
        <table><caption>Progress per wave</caption>
        <thead><tr><th scope="col">Wave</th><th scope="col">Progress</th><th scope="col">Targets</th></tr></thead>
        <tbody>{{#waves}}<tr><th scope="row">{{label}}</th><td><progress data-wave="{{wave}}" value="{{done}}" max="{{max}}" aria-label="{{label}} progress">{{done}} of {{max}}</progress></td><td class="bar-text">{{text}}</td></tr>
        {{/waves}}</tbody></table>
        <table><caption>Progress per site</caption>
        <thead><tr><th scope="col">Site</th><th scope="col">Progress</th><th scope="col">Targets</th></tr></thead>
        <tbody>{{#sites}}<tr><th scope="row">{{label}}</th><td><progress data-site="{{site}}" value="{{done}}" max="{{max}}" aria-label="{{label}} progress">{{done}} of {{max}}</progress></td><td class="bar-text">{{text}}</td></tr>
        {{/sites}}</tbody></table>
        {{#control}}<h3>Steer the rollout</h3>
        {{#pause}}<form method="post" action="/ui/releases/{{key}}/rollout/pause"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idempotencyKey" value="{{pauseKey}}">
        <p><button type="submit">Pause the rollout</button></p></form>{{/pause}}
        {{#resume}}<form method="post" action="/ui/releases/{{key}}/rollout/resume"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idempotencyKey" value="{{resumeKey}}">
        <p><button type="submit">Resume the rollout</button></p></form>{{/resume}}
        {{#abort}}<form method="post" action="/ui/releases/{{key}}/rollout/abort"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idempotencyKey" value="{{abortKey}}">
        <p><label for="abort-reason">Reason for aborting (required; targets already changed are backed out)</label><textarea id="abort-reason" name="reason" required maxlength="1000" rows="2" cols="60"></textarea></p>
        <p><button type="submit">Abort the rollout</button></p></form>{{/abort}}{{/control}}
        {{#live}}<script src="/ui/static/rollout-live.js" defer></script>{{/live}}
        </section>{{/rollout}}{{^rollout}}<p>No rollout has been planned for this release.</p>{{/rollout}}
        """
}
