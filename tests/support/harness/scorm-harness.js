/*
 * Test LMS for coursepack's end-to-end tests: the role of an LMS player page.
 *
 * Query parameters:
 *   version   "1.2" (window.API = new Scorm12API) or "2004" (window.API_1484_11 = new Scorm2004API)
 *   launch    URL of the SCO to load in the #content iframe (same origin)
 *   cmi       optional JSON of CMI data loaded before launch (api.loadFromJSON) over the
 *             first-attempt data below (learner id and name, credit, entry "ab-initio"),
 *             e.g. {"core": {"entry": "resume"}, "suspend_data": "..."} for a 1.2 resume
 *   settings  optional JSON merged over the scorm-again settings below
 *   lms       "moodle": the Moodle stand-in (moodle-api.js, loaded by moodle.html) instead of
 *             scorm-again; `settings` then holds its own (standardsMode, cutAt, noticeInAnswers)
 *
 * Exposes, for the Python side (tests/support/scorm_harness.py):
 *   window.harnessLog        every API call: {method, args, result, error} where error is
 *                            GetLastError() right after the call (null for the error queries),
 *                            and `threw` (the exception as text) when the call threw
 *   window.harnessMessages   scorm-again's own log messages {level, message}
 *   window.harnessCmi()      the current CMI as a plain object
 *   window.harnessLoads      how many times the content frame has loaded a page
 *                            (about:blank, i.e. a closed SCO, does not count)
 *   window.harnessApi        the scorm-again API object
 */
(function () {
  "use strict";

  var STANDARDS = {
    "1.2": {
      global: "API",
      create: function (settings) {
        return lms === "moodle" ? window.MoodleStandIn.scorm12(settings) : new window.Scorm12API(settings);
      },
      lastError: "LMSGetLastError",
      methods: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
        "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
      errorQueries: ["LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
      // What an LMS sets for a learner's first attempt (the `cmi` parameter overrides it).
      firstAttempt: {
        core: { student_id: "learner-1", student_name: "Learner, Test", credit: "credit",
          entry: "ab-initio" },
      },
    },
    "2004": {
      global: "API_1484_11",
      create: function (settings) {
        return lms === "moodle" ? window.MoodleStandIn.scorm2004(settings) : new window.Scorm2004API(settings);
      },
      lastError: "GetLastError",
      methods: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit",
        "GetLastError", "GetErrorString", "GetDiagnostic"],
      errorQueries: ["GetLastError", "GetErrorString", "GetDiagnostic"],
      firstAttempt: {
        learner_id: "learner-1", learner_name: "Test Learner", credit: "credit",
        entry: "ab-initio",
      },
    },
  };

  var params = new URLSearchParams(window.location.search);
  var version = params.get("version") || "1.2";
  var lms = params.get("lms") || "scorm-again";
  var standard = STANDARDS[version];
  if (!standard) {
    throw new Error("harness: unknown SCORM version " + JSON.stringify(version));
  }

  window.harnessLog = [];
  window.harnessMessages = [];
  window.harnessLoads = 0;

  var settings = {
    autocommit: false,
    lmsCommitUrl: false,
    logLevel: 3,
    onLogMessage: function (level, message) {
      window.harnessMessages.push({ level: level, message: String(message) });
    },
  };
  var extra = params.get("settings");
  if (extra) {
    Object.assign(settings, JSON.parse(extra));
  }

  var api = standard.create(settings);
  api.loadFromJSON(standard.firstAttempt);
  var cmi = params.get("cmi");
  if (cmi) {
    api.loadFromJSON(JSON.parse(cmi));
  }

  // Record each call the content makes. `depth` keeps calls that the API makes to itself
  // (if any) out of the log: only the outermost call is the content's.
  var original = {};
  var depth = 0;
  standard.methods.forEach(function (name) {
    original[name] = api[name];
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      depth += 1;
      var result;
      var thrown = null;
      try {
        result = original[name].apply(api, args);
      } catch (err) {
        thrown = err;
      } finally {
        depth -= 1;
      }
      if (depth === 0) {
        var isQuery = standard.errorQueries.indexOf(name) !== -1;
        var entry = {
          method: name,
          args: args.map(function (a) { return a === undefined ? null : a; }),
          result: result === undefined ? null : result,
          error: isQuery ? null : String(original[standard.lastError].call(api)),
        };
        if (thrown) entry.threw = String(thrown);
        window.harnessLog.push(entry);
      }
      if (thrown) throw thrown;
      return result;
    };
  });

  window.harnessApi = api;
  window[standard.global] = api;
  window.harnessCmi = function () {
    var rendered = api.renderCMIToJSONObject();
    return rendered && rendered.cmi ? rendered.cmi : rendered;
  };

  var frame = document.getElementById("content");
  frame.addEventListener("load", function () {
    var href;
    try {
      href = frame.contentWindow.location.href;
    } catch (err) {
      return; // a blank page the test navigated to has an opaque origin: a closed SCO
    }
    if (href !== "about:blank") {
      window.harnessLoads += 1;
    }
  });
  var launch = params.get("launch");
  if (launch) {
    frame.src = launch;
  }
})();
