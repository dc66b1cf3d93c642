/*
 * coursepack runtime: the xAPI debug view (CoursepackXAPI.debug)
 *
 * The status of every tracker, its dead letters, and the notes. Opened with the URL parameter
 * `coursepack-debug`, localStorage "coursepack:debug" = "1", or X.debug.show(). It reads
 * trackers only through what they expose (X.trackers, tracker.status(), tracker.enabled,
 * tracker.deadLetters()) and refreshes on X.watch.
 *
 *   X.debug.note(text)   X.debug.show() -> the panel   X.debug.text() -> what it shows
 */
(function (window) {
  "use strict";

  var X = window.CoursepackXAPI;
  var panel = null;
  var refreshTimer = null;

  function wanted() {
    try {
      if (/[?&#]coursepack-debug\b/.test(String(window.location.search) + String(window.location.hash))) return true;
      return !!window.localStorage && window.localStorage.getItem("coursepack:debug") === "1";
    } catch (err) {
      return false;
    }
  }

  function text() {
    var lines = [];
    X.notes.forEach(function (n) {
      lines.push("note: " + n);
    });
    X.trackers.forEach(function (t, i) {
      var s = t.status();
      lines.push("tracker " + (i + 1) + ": " + s.mode + (s.note ? " (" + s.note + ")" : ""));
      if (!t.enabled) return;
      lines.push("  endpoint: " + s.endpoint);
      lines.push("  actor: " + X.actorKey(s.actor) + "  registration: " + (s.registration || "none"));
      lines.push("  sent: " + s.sent + "  waiting: " + s.pending + "  dead letters: " + s.dead + (s.persistent ? "" : "  (outbox in memory only)"));
      lines.push("  State resource: " + (s.stateResource === "unavailable" ? "not offered by this LRS: progress is saved in this browser (localStorage)" : s.stateResource));
      if (s.lastError) lines.push("  last error: " + s.lastError);
      t.deadLetters().forEach(function (d) {
        var st = d.statement || {};
        lines.push("  dead letter " + st.id + " (HTTP " + d.status + "): " + ((st.verb && st.verb.id) || "") + " " + ((st.object && st.object.id) || "") + " :: " + d.message);
      });
    });
    return lines.join("\n");
  }

  function show() {
    var document = window.document;
    if (!document || !document.body) return null;
    if (!panel) {
      panel = document.createElement("aside");
      panel.setAttribute("data-cp-xapi-debug", "");
      panel.setAttribute("aria-label", "xAPI debug");
      panel.style.cssText = "position:fixed;bottom:0;right:0;max-width:40rem;max-height:40vh;overflow:auto;background:#fff;color:#000;border:1px solid #555;font:12px/1.4 monospace;padding:.5rem;z-index:9999;white-space:pre-wrap";
      document.body.appendChild(panel);
    }
    panel.textContent = "coursepack xAPI\n" + text();
    return panel;
  }

  function refresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      if (panel || wanted()) show();
    }, 30);
  }

  X.watch(refresh);
  refresh();
  X.debug = { note: X.note, show: show, text: text };
})(window);
