/*
 * coursepack preview: the shell page. It plays the LMS: frames the course, owns the SCORM
 * API (lms-scorm.js) or asks the server for an xAPI/cmi5 launch (the server is the LRS),
 * and shows the inspector. Server-sent events say when the course was rebuilt (relaunch,
 * resuming), when it is invalid (the overlay) and when a statement arrived.
 *
 * Everything from the course or the package is shown with textContent (never as HTML).
 * For tests: window.previewState = { loads, launches, version, kind, ready }.
 */
(function (window) {
  "use strict";

  var document = window.document;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var frame = $("pv-course");
  var MAX_LOG = 3000;
  var state = (window.previewState = {
    loads: 0,
    launches: 0,
    version: 0,
    launchedVersion: 0,
    kind: "",
    target: "",
    ready: false,
    calls: [],
    statements: [],
  });
  var status = null;
  var lms = null; // the SCORM engine of the current session
  var offline = false;
  var launching = Promise.resolve();
  var lastData = {};

  // --- the stored copy (what the emulated LMS keeps between launches) --------------------

  function storeKey() {
    return "coursepack-preview:" + (status && status.courseId) + ":" + state.target;
  }

  function readStored() {
    try {
      var text = window.localStorage.getItem(storeKey());
      return text ? JSON.parse(text) : null;
    } catch (err) {
      return null;
    }
  }

  function writeStored(stored) {
    try {
      window.localStorage.setItem(storeKey(), JSON.stringify(stored));
    } catch (err) {
      /* a full storage: the next launch starts from the previous copy */
    }
  }

  function forgetStored() {
    var prefix = "coursepack-preview:" + (status && status.courseId) + ":";
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) window.localStorage.removeItem(key);
    }
  }

  // --- server -------------------------------------------------------------------------------

  function post(path, body) {
    return window
      .fetch("/_preview/" + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body || {}),
      })
      .then(function (res) {
        return res.json().then(function (value) {
          if (!res.ok) throw new Error(value && value.error ? value.error : "HTTP " + res.status);
          return value;
        });
      });
  }

  function say(text, isError) {
    var el = $("pv-status");
    el.textContent = text;
    el.setAttribute("data-state", isError ? "error" : "ok");
  }

  // --- launching ------------------------------------------------------------------------------

  /** Navigate the frame away (the SCO's pagehide runs, with the API still in place). */
  function unload() {
    return new Promise(function (resolve) {
      var src = frame.getAttribute("src");
      if (!src || src === "about:blank") return resolve();
      var done = function () {
        frame.removeEventListener("load", done);
        resolve();
      };
      frame.addEventListener("load", done);
      frame.setAttribute("src", "about:blank");
    });
  }

  function installScorm(kind) {
    delete window.API;
    delete window.API_1484_11;
    lms = null;
    if (kind !== "scorm12" && kind !== "scorm2004") return;
    lms = window.PreviewSCORM.create(kind === "scorm12" ? "1.2" : "2004", {
      stored: readStored(),
      launchData: status.launchData || "",
      learner: kind === "scorm12"
        ? { id: "preview-learner", name: "Learner, Preview" }
        : { id: "preview-learner", name: "Preview Learner" },
      offline: function () {
        return offline;
      },
      onCall: onCall,
      onStore: writeStored,
      suspendDataLimit: status.suspendDataLimit || 0,
    });
    if (kind === "scorm12") window.API = lms.api;
    else window.API_1484_11 = lms.api;
  }

  function launch() {
    launching = launching.then(function () {
      return unload().then(function () {
        if (lms) lms.abandon();
        if (!status || !status.ok) return null;
        state.kind = status.kind;
        installScorm(status.kind);
        renderData();
        var au = $("pv-au").value || null;
        return post("launch", { au: au }).then(
          function (answer) {
            $("pv-closed").hidden = true;
            state.launches += 1;
            state.launchedVersion = status.version;
            frame.setAttribute("src", answer.url);
          },
          function (err) {
            say("launch failed: " + err.message, true);
          }
        );
      });
    });
    return launching;
  }

  frame.addEventListener("load", function () {
    var href = "";
    try {
      href = frame.contentWindow.location.href;
    } catch (err) {
      href = "?";
    }
    if (href !== "about:blank") state.loads += 1;
  });

  // --- build events -------------------------------------------------------------------------

  function fillSelect(select, values, current, blank) {
    var wanted = (blank ? [""] : []).concat(values);
    var now = Array.prototype.map.call(select.options, function (o) {
      return o.value;
    });
    if (now.join("|") !== wanted.join("|")) {
      select.textContent = "";
      wanted.forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v || "(course.yaml)";
        select.appendChild(option);
      });
    }
    select.value = current;
  }

  function showProblems(problems) {
    var list = $("pv-problems");
    list.textContent = "";
    problems.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    $("pv-overlay").hidden = problems.length === 0;
  }

  function onBuild(next) {
    var first = status === null;
    var targetChanged = status && next.target !== status.target;
    status = next;
    state.version = next.version;
    state.target = next.target;
    document.title = (next.title ? next.title + " — " : "") + "coursepack preview";
    $("pv-title").textContent = next.title || "coursepack preview";
    fillSelect($("pv-target"), next.targets, next.target, false);
    fillSelect($("pv-lms"), next.profiles, next.lms, true);
    var auSelect = $("pv-au");
    var current = auSelect.value;
    fillSelect(
      auSelect,
      next.aus.map(function (a) {
        return a.id;
      }),
      next.aus.some(function (a) {
        return a.id === current;
      })
        ? current
        : next.aus.length
          ? next.aus[0].id
          : "",
      false
    );
    Array.prototype.forEach.call(auSelect.options, function (o, i) {
      if (next.aus[i]) o.textContent = next.aus[i].title || next.aus[i].id;
    });
    $("pv-au-label").hidden = next.aus.length < 2;
    offline = !!next.offline;
    $("pv-offline").checked = offline;
    showProblems(next.ok ? [] : next.problems);
    if (next.ok) {
      var warn = next.warnings.length ? " — " + next.warnings.length + " warning(s)" : "";
      say("built " + next.target + " in " + next.seconds + " s (build " + next.version + ")" + warn, false);
    } else {
      say(next.problems.length + " problem(s): showing the last good build", true);
    }
    if (next.ok && (first || targetChanged || next.version !== state.launchedVersion)) {
      launch().then(function () {
        state.ready = true;
      });
    } else {
      state.ready = true;
    }
  }

  // --- inspector: API calls ---------------------------------------------------------------------

  function quote(v) {
    return v === undefined ? "" : JSON.stringify(String(v));
  }

  // SCORM 2004: after Terminate, the LMS acts on the navigation request the SCO left
  var LEAVING = { exit: 1, exitAll: 1, suspendAll: 1, abandon: 1, abandonAll: 1 };
  function afterTerminate(entry) {
    if (entry.method !== "Terminate" || entry.result !== "true" || !lms) return;
    var request = lms.data()["adl.nav.request"];
    if (LEAVING[request] === 1) {
      window.setTimeout(function () {
        closeCourse("The course asked the LMS to leave (adl.nav.request = " + request + "): the LMS closed it.");
      }, 0);
    }
  }

  function onCall(entry) {
    afterTerminate(entry);
    state.calls.push(entry);
    if (state.calls.length > 50000) state.calls.splice(0, 10000);
    var list = $("pv-calls-list");
    var li = document.createElement("li");
    li.setAttribute("data-method", entry.method);
    var failed = entry.error !== null && entry.error !== "0";
    if (failed) li.className = "pv-error";
    if (entry.error !== null) li.setAttribute("data-error", entry.error);
    var text = entry.method + "(" + entry.args.map(quote).join(", ") + ") → " + quote(entry.result);
    li.appendChild(document.createTextNode(text + " "));
    if (entry.error !== null) {
      var code = document.createElement("span");
      code.className = "pv-code";
      code.textContent = entry.error;
      if (entry.diagnostic) code.title = entry.diagnostic;
      li.appendChild(code);
      if (failed && entry.diagnostic) li.appendChild(document.createTextNode(" " + entry.diagnostic));
    }
    list.appendChild(li);
    while (list.childNodes.length > MAX_LOG) list.removeChild(list.firstChild);
    $("pv-calls-count").textContent = String(state.calls.length);
    scheduleData();
  }

  // --- inspector: data model ---------------------------------------------------------------------

  var dataPending = false;
  function scheduleData() {
    if (dataPending) return;
    dataPending = true;
    window.setTimeout(function () {
      dataPending = false;
      renderData();
    }, 30);
  }

  function renderData() {
    var rows = $("pv-data-rows");
    var gauge = $("pv-gauge");
    rows.textContent = "";
    if (!lms) {
      gauge.hidden = true;
      $("pv-data-note").textContent =
        state.kind === "xapi" || state.kind === "cmi5"
          ? "xAPI: the LRS is this preview. State documents (activities/state, agents/profile):"
          : "";
      renderDocuments();
      return;
    }
    var data = lms.data();
    var counts = lms.counts();
    Object.keys(counts).forEach(function (k) {
      data[k + "._count"] = String(counts[k]);
    });
    var suspend = data["cmi.suspend_data"] || "";
    gauge.hidden = false;
    var meter = $("pv-suspend");
    var limit = lms.limits.suspend;
    meter.max = limit;
    meter.low = Math.round(limit * 0.75);
    meter.high = Math.round(limit * 0.9);
    meter.value = Math.min(suspend.length, limit);
    $("pv-suspend-text").textContent =
      suspend.length + " / " + limit + " characters (" + Math.round((suspend.length / limit) * 100) + "%)";
    $("pv-data-note").textContent = "SCORM " + lms.version + " session: " + lms.state() + (offline ? " (offline)" : "");
    Object.keys(data)
      .sort()
      .forEach(function (key) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-element", key);
        if (lastData[key] !== undefined && lastData[key] !== data[key]) tr.className = "pv-changed";
        var name = document.createElement("td");
        name.textContent = key;
        var value = document.createElement("td");
        value.textContent = data[key];
        tr.appendChild(name);
        tr.appendChild(value);
        rows.appendChild(tr);
      });
    lastData = data;
  }

  function renderDocuments() {
    window
      .fetch("/_preview/lrs-snapshot")
      .then(function (res) {
        return res.json();
      })
      .then(function (snapshot) {
        if (lms) return;
        var rows = $("pv-data-rows");
        rows.textContent = "";
        snapshot.documents.forEach(function (doc) {
          var tr = document.createElement("tr");
          var name = document.createElement("td");
          name.textContent = doc.key[0] + " " + doc.key[doc.key.length - 1];
          var value = document.createElement("td");
          value.textContent = doc.value.length > 600 ? doc.value.slice(0, 600) + "…" : doc.value;
          tr.appendChild(name);
          tr.appendChild(value);
          rows.appendChild(tr);
        });
      })
      .catch(function () {});
  }

  // --- inspector: statements ----------------------------------------------------------------------

  function display(map) {
    if (!map || typeof map !== "object") return "";
    return map["en-US"] || map.en || map[Object.keys(map)[0]] || "";
  }

  var seen = {};

  function statementItem(s) {
    var li = document.createElement("li");
    var verb = (s.verb && s.verb.id) || "";
    li.setAttribute("data-verb", verb);
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    var v = document.createElement("span");
    v.className = "pv-verb";
    v.textContent = display(s.verb && s.verb.display) || verb.split("/").pop();
    summary.appendChild(v);
    var object = s.object || {};
    var name = display(object.definition && object.definition.name) || object.id || "";
    var parts = [" " + name];
    var r = s.result;
    if (r) {
      if (r.completion !== undefined) parts.push("completion: " + r.completion);
      if (r.success !== undefined) parts.push("success: " + r.success);
      if (r.score && r.score.scaled !== undefined) parts.push("score: " + r.score.scaled);
      if (typeof r.response === "string") {
        parts.push("response: " + (r.response.length > 80 ? r.response.slice(0, 80) + "…" : r.response));
      }
    }
    summary.appendChild(document.createTextNode(parts.join(" · ")));
    details.appendChild(summary);
    var pre = document.createElement("pre");
    pre.textContent = JSON.stringify(s, null, 2);
    details.appendChild(pre);
    li.appendChild(details);
    return li;
  }

  /** A statement pushed by the server as the LRS stored it (they arrive in order). */
  function onStatement(s) {
    if (s.id && seen[s.id]) return;
    if (s.id) seen[s.id] = true;
    state.statements.push(s);
    var list = $("pv-statements-list");
    list.appendChild(statementItem(s));
    while (list.childNodes.length > MAX_LOG) list.removeChild(list.firstChild);
    $("pv-statements-count").textContent = String(state.statements.length);
    if (!lms) scheduleData();
  }

  function clearStatements() {
    state.statements = [];
    seen = {};
    $("pv-statements-list").textContent = "";
    $("pv-statements-count").textContent = "0";
  }

  /** What the LRS held before this page listened, merged with what arrived since, in the
   * order the LRS stored them. */
  function loadStatements() {
    return window
      .fetch("/_preview/lrs-snapshot")
      .then(function (res) {
        return res.json();
      })
      .then(function (snapshot) {
        var all = state.statements.slice();
        snapshot.statements.forEach(function (s) {
          if (!s.id || !seen[s.id]) all.push(s);
        });
        all.sort(function (a, b) {
          return a.stored < b.stored ? -1 : a.stored > b.stored ? 1 : 0;
        });
        clearStatements();
        all.forEach(onStatement);
      });
  }

  // --- controls ---------------------------------------------------------------------------------

  function clearLogs() {
    state.calls = [];
    $("pv-calls-list").textContent = "";
    $("pv-calls-count").textContent = "0";
  }

  $("pv-target").addEventListener("change", function (ev) {
    post("config", { target: ev.target.value }).catch(function (err) {
      say(err.message, true);
    });
  });
  $("pv-lms").addEventListener("change", function (ev) {
    post("config", { lms: ev.target.value }).catch(function (err) {
      say(err.message, true);
    });
  });
  $("pv-au").addEventListener("change", launch);
  $("pv-relaunch").addEventListener("click", launch);
  $("pv-reopen").addEventListener("click", launch);
  function closeCourse(why) {
    launching = launching.then(function () {
      return unload().then(function () {
        if (lms) lms.abandon();
        $("pv-closed-text").textContent = why;
        $("pv-closed").hidden = false;
        renderData();
      });
    });
  }

  $("pv-close").addEventListener("click", function () {
    closeCourse("The LMS closed the course window.");
  });
  $("pv-reset").addEventListener("click", function () {
    launching = launching
      .then(unload)
      .then(function () {
        if (lms) lms.abandon();
        forgetStored();
        clearLogs();
        return post("reset");
      })
      .then(function () {
        clearStatements();
        return loadStatements();
      });
    launch();
  });
  $("pv-offline").addEventListener("change", function (ev) {
    offline = ev.target.checked;
    post("network", { offline: offline });
    renderData();
  });

  var tabs = ["data", "calls", "statements"];
  tabs.forEach(function (name) {
    $("pv-tab-" + name).addEventListener("click", function () {
      tabs.forEach(function (other) {
        $("pv-tab-" + other).setAttribute("aria-selected", other === name ? "true" : "false");
        $("pv-" + other).hidden = other !== name;
      });
    });
  });

  // --- events from the server ----------------------------------------------------------------------

  var events = new window.EventSource("/_preview/events");
  events.addEventListener("build", function (ev) {
    onBuild(JSON.parse(ev.data));
  });
  events.addEventListener("statement", function (ev) {
    onStatement(JSON.parse(ev.data));
  });
  events.addEventListener("request", function (ev) {
    // an LRS request of an xAPI or cmi5 package: shown with its HTTP status
    var r = JSON.parse(ev.data);
    var what = Object.keys(r.query).map(function (k) {
      return k + "=" + r.query[k];
    });
    onCall({
      method: r.method + " " + r.resource,
      args: what,
      result: "HTTP " + r.status,
      // a GET answered 404 is how a State or Profile document says "none yet": no failure
      error: r.status >= 400 && !(r.method === "GET" && r.status === 404) ? String(r.status) : "0",
      diagnostic: "",
    });
  });
  events.addEventListener("network", function (ev) {
    offline = !!JSON.parse(ev.data).offline;
    $("pv-offline").checked = offline;
  });
  events.addEventListener("error", function () {
    say("the preview server is not answering (stopped?); reconnecting…", true);
  });
  loadStatements();
})(window);
