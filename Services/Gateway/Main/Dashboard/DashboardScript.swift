import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard's only script, served from the gateway itself (`/ui/static/rollout-live.js`,
/// allowed by the pages' `script-src 'self'`; no inline script, nothing from another origin).
/// It keeps the release page's rollout bars current from `/ui/releases/{key}/events`: it
/// copies the numbers and texts the server worked out (``DashboardRolloutBoard``) into the elements
/// the page already has, and holds no rule of its own. The page is complete without it.
enum DashboardScript {
    static let path = "/ui/static/rollout-live.js"

    static let rolloutLive = """
        // Live rollout progress for the release page (Shipboard dashboard).
        // Reads the section's data-events address, listens for `rollout` events (the board as
        // JSON) and puts each bar's numbers and text in place. Stops at a final release;
        // reconnects after an error, waiting longer each time (up to 30 s).
        (function () {
          "use strict";
          var section = document.getElementById("rollout");
          if (!section || !window.EventSource || !window.JSON) { return; }
          var address = section.getAttribute("data-events");
          if (!address) { return; }
          var live = document.getElementById("rollout-live");
          var wait = 1000;
          var source = null;

          function say(text) { if (live) { live.textContent = text; } }

          function put(progress, text, bar) {
            if (progress) {
              progress.max = bar.max;
              progress.value = bar.done;
              progress.textContent = bar.done + " of " + bar.max;
            }
            if (text) { text.textContent = bar.text; }
          }

          function rows(attribute, bars, key) {
            var elements = section.querySelectorAll("progress[" + attribute + "]");
            bars.forEach(function (bar) {
              for (var i = 0; i < elements.length; i += 1) {
                if (elements[i].getAttribute(attribute) === String(bar[key])) {
                  var row = elements[i].closest("tr");
                  put(elements[i], row ? row.querySelector(".bar-text") : null, bar);
                }
              }
            });
          }

          function show(board) {
            put(document.getElementById("rollout-progress"), document.getElementById("rollout-count"), board.overall);
            var state = document.getElementById("rollout-state");
            if (state) { state.textContent = board.state; }
            rows("data-wave", board.waves || [], "wave");
            rows("data-site", board.sites || [], "site");
          }

          function open() {
            source = new EventSource(address);
            source.addEventListener("open", function () { wait = 1000; say("Live: progress updates as it happens."); });
            source.addEventListener("rollout", function (event) {
              try { show(JSON.parse(event.data)); } catch (ignored) { /* a malformed event changes nothing */ }
            });
            source.addEventListener("release", function (event) {
              var release = null;
              try { release = JSON.parse(event.data); } catch (ignored) { return; }
              if (release && release.final) {
                source.close();
                say("The release is " + release.status + "; this is the final progress.");
              }
            });
            source.addEventListener("error", function () {
              if (source.readyState === EventSource.CLOSED || source.readyState === EventSource.CONNECTING) {
                source.close();
                say("Live updates interrupted; reconnecting.");
                window.setTimeout(open, wait);
                wait = Math.min(wait * 2, 30000);
              }
            });
          }

          open();
        }());

        """

    /// The script as a response: JavaScript, not sniffed, cached briefly (it changes with the gateway).
    static func response() -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: rolloutLive)))
    }
}
