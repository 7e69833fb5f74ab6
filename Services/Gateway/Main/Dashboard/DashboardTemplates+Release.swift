import GatewayCore

extension DashboardTemplates {
    /// One release: its phases, approvals (and the decision forms when the user may decide),
    /// its work plan (with the start and finish buttons the user may use), its rollout
    /// (``rollout``, live), its changes, CIs and notifications (``releaseDetails``) and its
    /// audit trail with the verdict on its chain.
    static let release = """
        {{> header}}<p><a href="/ui/releases">All releases</a></p>
        <h1>{{key}}: {{title}}</h1>
        {{#notice}}<p class="ok" role="status">{{.}}</p>{{/notice}}
        <p>Status <strong>{{status}}</strong>, phase <strong>{{phase}}</strong>, priority {{priority}}, version {{version}}.
        Requester {{requester}}, coordinator {{coordinator}}.</p>
        <p>Report: <a href="/ui/releases/{{key}}/report">Report (HTML)</a> · <a href="/ui/releases/{{key}}/report.csv">CSV</a></p>
        <h2>Phases</h2>
        <ol class="timeline">{{#timeline}}<li class="{{mark}}">{{phase}} <small>({{mark}})</small></li>{{/timeline}}</ol>
        <h2>Approvals</h2>
        {{#gate}}<p>Gate of this phase: group {{group}}, {{required}} approval(s) needed.</p>{{/gate}}{{^gate}}<p>This phase has no approval gate.</p>{{/gate}}
        <table><caption>Decisions at this gate</caption>
        <thead><tr><th scope="col">Phase</th><th scope="col">Who</th><th scope="col">Verdict</th><th scope="col">When</th><th scope="col">Comment or reason</th></tr></thead>
        <tbody>{{#decisions}}<tr><td>{{phase}}</td><td>{{actor}}</td><td>{{verdict}}</td><td>{{at}}</td><td>{{reason}}</td></tr>
        {{/decisions}}{{^decisions}}<tr><td colspan="5">No decision yet.</td></tr>{{/decisions}}</tbody></table>
        {{#decide}}<h3>Your decision</h3>
        <form method="post" action="/ui/releases/{{key}}/approve">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="expectedPhase" value="{{phase}}">
        <input type="hidden" name="expectedVersion" value="{{version}}"><input type="hidden" name="idempotencyKey" value="{{approveKey}}">
        <p><label for="comment">Comment (optional)</label><textarea id="comment" name="comment" maxlength="1000" rows="2" cols="60"></textarea></p>
        <p><button type="submit">Approve</button></p>
        </form>
        <form method="post" action="/ui/releases/{{key}}/reject">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="expectedPhase" value="{{phase}}">
        <input type="hidden" name="expectedVersion" value="{{version}}"><input type="hidden" name="idempotencyKey" value="{{rejectKey}}">
        <p><label for="reason">Reason for rejecting (required)</label><textarea id="reason" name="reason" required maxlength="1000" rows="2" cols="60"></textarea></p>
        <p><button type="submit">Reject</button></p>
        </form>{{/decide}}
        <h2>Work plan</h2>
        {{#workPlan}}<p>Job plan {{jobPlan}} version {{jobPlanVersion}}: {{percent}}% done, {{remainingMinutes}} minutes of work remaining.</p>
        <table><caption>Tasks (critical path in bold, marked “critical”)</caption>
        <thead><tr><th scope="col">Task</th><th scope="col">Title</th><th scope="col">Phase</th><th scope="col">State</th><th scope="col">Assignee</th><th scope="col">Estimate (min)</th><th scope="col">After</th><th scope="col">Your actions</th></tr></thead>
        <tbody>{{#tasks}}<tr{{#critical}} class="critical"{{/critical}}><td>{{key}}{{#critical}} (critical){{/critical}}</td><td>{{title}}</td><td>{{phase}}</td><td>{{state}}</td><td>{{assignee}}</td><td>{{estimate}}</td><td>{{predecessors}}</td>
        <td>{{#actions}}<form method="post" action="{{path}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idempotencyKey" value="{{idempotencyKey}}"><button type="submit" aria-label="{{verb}} task {{task}}">{{verb}}</button></form>{{/actions}}</td></tr>
        {{/tasks}}</tbody></table>
        {{#gantt}}<figure>
        <svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="gantt-title">
        <title id="gantt-title">Gantt chart of the work plan over {{totalMinutes}} planned minutes; critical path in red</title>
        {{#bars}}<g><title>{{key}}: minute {{start}} to {{finish}}{{#critical}} (critical path){{/critical}}</title>
        <text x="4" y="{{textY}}" font-size="13" fill="\(DashboardPalette.text)"{{#critical}} font-weight="bold"{{/critical}}>{{key}}</text>
        <rect x="{{x}}" y="{{y}}" width="{{width}}" height="16" fill="{{#critical}}\(DashboardPalette.critical){{/critical}}{{^critical}}\(DashboardPalette.bar){{/critical}}"{{#critical}} class="critical-bar"{{/critical}}/></g>
        {{/bars}}</svg>
        <figcaption>Planned schedule: each task after its predecessors, for its estimate. Critical path in red.</figcaption>
        </figure>{{/gantt}}{{/workPlan}}
        {{^workPlan}}<p>No work plan has been applied.</p>{{/workPlan}}
        {{> rollout}}
        {{> releaseDetails}}
        <h2>Audit trail</h2>
        <p class="{{auditClass}}" role="status">{{auditStatus}}</p>
        <table><caption>Audit entries, oldest first</caption>
        <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
        <tbody>{{#audit}}<tr><td>{{seq}}</td><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td></tr>
        {{/audit}}</tbody></table>
        {{> footer}}
        """
}
