import GatewayCore

/// The dashboard's pages as Mustache templates (swift-mustache): `{{value}}` is HTML-escaped,
/// and no template uses the unescaped forms (`{{{…}}}`, `{{&…}}`), so nothing a user typed
/// reaches a page raw. Every page starts with `header` and ends with `footer`; nothing is
/// fetched from another origin (the stylesheet is inline; the one script, for live rollout
/// progress, is served by the gateway itself: ``DashboardScript``).
enum DashboardTemplates {
    /// Colours come from ``DashboardPalette``, whose pairings a test holds to WCAG contrast.
    private typealias P = DashboardPalette

    static let header = HTMLPageOpening.text + """
        body { font: 16px/1.5 system-ui, sans-serif; color: \(P.text); background: \(P.page); margin: 0; }
        header { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: \(P.header); color: \(P.headerText); }
        header a { color: \(P.headerText); font-weight: bold; }
        header nav { display: flex; gap: 1rem; }
        header form { margin-left: auto; }
        main { padding: 1rem; max-width: 75rem; }
        a { color: \(P.link); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid \(P.focus); outline-offset: 2px; }
        header a:focus, header button:focus { outline-color: \(P.headerFocus); }
        .skip { position: absolute; left: -999rem; }
        .skip:focus { position: static; background: \(P.page); color: \(P.link); padding: .25rem .5rem; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; }
        th, td { border: 1px solid \(P.rule); padding: .25rem .5rem; text-align: left; vertical-align: top; }
        caption { text-align: left; font-weight: bold; }
        label { display: block; font-weight: bold; }
        .filters { display: flex; gap: 1rem; align-items: end; flex-wrap: wrap; }
        .error { color: \(P.error); border-left: 4px solid \(P.error); padding-left: .5rem; }
        .ok { color: \(P.ok); border-left: 4px solid \(P.ok); padding-left: .5rem; }
        .timeline { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
        .timeline li { border: 2px solid \(P.rule); padding: .25rem .5rem; }
        .timeline .passed { background: \(P.passed); }
        .timeline .current, .timeline .ended { border-color: \(P.header); font-weight: bold; }
        .critical { font-weight: bold; }
        tr.freeze td, li.freeze { background: \(P.freeze); }
        table.month td { width: 9rem; height: 4rem; }
        table.month td.outside { background: \(P.outside); }
        table.month ul { list-style: none; margin: .25rem 0 0; padding: 0; font-size: .875rem; }
        button { font: inherit; padding: .25rem .75rem; }
        form.inline { display: inline; margin-right: .25rem; }
        progress { width: 12rem; height: 1.1rem; vertical-align: middle; }
        </style>
        </head>
        <body>
        <a class="skip" href="#main">Skip to the content</a>
        <header><a href="/ui/releases">Shipboard</a>
        <nav aria-label="Main"><a href="/ui/releases">Releases</a> <a href="/ui/calendar">Calendar</a> <a href="/ui/reports/portfolio">Portfolio report</a></nav>
        {{#signedIn}}<span>Signed in as {{name}} ({{roles}})</span>
        <form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>{{/signedIn}}
        </header>
        <main id="main">

        """

    static let footer = """
        </main>
        </body>
        </html>

        """

    /// A refusal: what went wrong, in words that say nothing about the object.
    static let problem = """
        {{> header}}<h1>{{heading}}</h1>
        <p class="error" role="alert">{{detail}}</p>
        <p><a href="{{back}}">Back</a></p>
        {{> footer}}
        """

    static let login = """
        {{> header}}<h1>Sign in</h1>
        {{#message}}<p class="error" role="alert">{{.}}</p>{{/message}}
        <form method="post" action="/ui/login">
        <input type="hidden" name="csrf" value="{{loginToken}}">
        <p><label for="name">Name</label><input id="name" name="name" autocomplete="username" required maxlength="200"></p>
        <p><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
        <p><label for="totp">One-time code (only if your account uses one)</label><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="6"></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        {{> footer}}
        """
}
