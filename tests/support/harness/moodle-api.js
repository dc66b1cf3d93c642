/*
 * A Moodle stand-in for coursepack's end-to-end tests: the SCORM APIs of Moodle's player
 * (mod/scorm/datamodels/scorm_12.js, scorm_13.js and datamodel.php, Moodle 4.5) where they
 * matter to a package, with the same surface as scorm-again's APIs so that scorm-harness.js
 * records and exposes it the same way (moodle.html loads this file, then scorm-harness.js with
 * `lms=moodle`).
 *
 *   window.MoodleStandIn.scorm12(settings) / .scorm2004(settings) -> an API object
 *
 * What it does as Moodle does:
 *   - "SCORM standards mode" (site setting scorm/scormstandard) is off by default: then
 *     cmi.suspend_data and the 255-character strings take up to 64,000 characters; with
 *     `settings.standardsMode` on, 1.2's suspend_data takes 4,096 and its strings 255, and a
 *     longer value is refused with error 405 (1.2) / 406 (2004).
 *   - Navigation requests (2004 adl.nav.request) go to datamodel.php with the next Commit or
 *     Terminate. Its patterns try `exit` before `exitAll`; `exit`, `exitAll`, `abandon` and
 *     `abandonAll` go through its sequencer, which prints an HTML notice into the answer, and
 *     Moodle's script evaluates that answer: Commit("") and Terminate("") throw
 *     `SyntaxError: Unexpected token '<'` (the data is stored all the same). `continue`,
 *     `previous`, `{target=...}choice`, and what no pattern knows (`suspendAll`), pass.
 *   - cmi.interactions._count (and the other counts) come back as numbers, not strings.
 *   - Review mode (`cmi.core.lesson_mode` / `cmi.mode` "review" loaded by the test) does not
 *     stop writes: what the package sends is stored, and Terminate adds session_time to
 *     total_time, as in Moodle.
 *   - `settings.cutAt`: the database keeps only that many characters of a value (the API
 *     answered "true"), seen on a resume.
 *   - `settings.noticeInAnswers`: every Commit and Terminate answer holds an HTML notice (a
 *     site with debugging on), so both throw after storing.
 *
 * Not a whole LMS: no sequencing, no objectives, a few vocabularies checked.
 */
(function () {
  "use strict";

  var LIMIT_OFF = 64000;

  var TABLES = {
    "1.2": {
      codes: { general: "101", initialized: "101", notInitialized: "301", readOnly: "403", writeOnly: "404", badValue: "405", unknown: "401", terminated: "101" },
      readOnly: ["cmi.core.student_id", "cmi.core.student_name", "cmi.core.credit", "cmi.core.entry", "cmi.core.total_time", "cmi.core.lesson_mode", "cmi.launch_data", "cmi.student_data.mastery_score"],
      writeOnly: ["cmi.core.exit", "cmi.core.session_time"],
      strict: { "cmi.suspend_data": 4096, "cmi.core.lesson_location": 255, "student_response": 255 },
      vocab: {
        "cmi.core.lesson_status": ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"],
        "cmi.core.exit": ["time-out", "suspend", "logout", ""],
      },
      sessionTime: "cmi.core.session_time",
      totalTime: "cmi.core.total_time",
      methods: { init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", lastError: "LMSGetLastError", errorString: "LMSGetErrorString", diagnostic: "LMSGetDiagnostic" },
    },
    "2004": {
      codes: { general: "101", initialized: "103", notInitialized: "122", readOnly: "404", writeOnly: "405", badValue: "406", unknown: "401", terminated: "132" },
      readOnly: ["cmi.learner_id", "cmi.learner_name", "cmi.credit", "cmi.entry", "cmi.total_time", "cmi.mode", "cmi.launch_data", "cmi.completion_threshold", "cmi.scaled_passing_score"],
      writeOnly: ["cmi.exit", "cmi.session_time"],
      strict: { "cmi.suspend_data": 64000, "cmi.location": 1000, "learner_response": 4000 },
      vocab: {
        "cmi.completion_status": ["completed", "incomplete", "not attempted", "unknown"],
        "cmi.success_status": ["passed", "failed", "unknown"],
        "cmi.exit": ["time-out", "suspend", "logout", "normal", ""],
      },
      sessionTime: "cmi.session_time",
      totalTime: "cmi.total_time",
      methods: { init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit", lastError: "GetLastError", errorString: "GetErrorString", diagnostic: "GetDiagnostic" },
    },
  };

  // datamodel.php's nav-request patterns, in its order: `exit` is tried before `exitAll`.
  var SEQUENCER_REQUESTS = /^(exit|exitAll|abandon|abandonAll)$/;
  var HTML_NOTICE = "<br />\n<b>Notice</b>: Target Activity does not exist";

  /** Moodle's answer evaluated by its script: what a browser throws on an HTML notice. */
  function evaluateAnswer(answer) {
    return JSON.parse(answer);
  }

  /** A nested CMI object ({core: {entry: "resume"}, interactions: [{id}]}) as flat keys. */
  function flatten(prefix, value, out) {
    if (value !== null && typeof value === "object") {
      Object.keys(value).forEach(function (key) {
        flatten(prefix + "." + key, value[key], out);
      });
    } else {
      out[prefix] = value === null || value === undefined ? "" : String(value);
    }
    return out;
  }

  /** Flat keys back to a nested object (arrays as objects with numeric keys). */
  function nest(data) {
    var root = {};
    Object.keys(data).forEach(function (element) {
      var parts = element.split(".").slice(1);
      var node = root;
      for (var i = 0; i < parts.length - 1; i++) {
        node = node[parts[i]] = node[parts[i]] || {};
      }
      node[parts[parts.length - 1]] = data[element];
    });
    return root;
  }

  /** CMITimespan (1.2, HHHH:MM:SS.SS) or ISO 8601 duration (2004) in seconds. */
  function seconds(text) {
    var m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(text);
    if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(text);
    if (m) return Number(m[1] || 0) * 86400 + Number(m[2] || 0) * 3600 + Number(m[3] || 0) * 60 + Number(m[4] || 0);
    return 0;
  }

  function timespan(total) {
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    var h = Math.floor(total / 3600);
    var rest = total - h * 3600;
    return ("000" + h).slice(-4) + ":" + pad(Math.floor(rest / 60)) + ":" + pad(Math.floor(rest % 60)) + "." + ((rest % 1).toFixed(2)).slice(2);
  }

  function create(version, settings) {
    var table = TABLES[version];
    var codes = table.codes;
    var m = table.methods;
    var options = settings || {};
    var data = {};
    var state = "new"; // new -> running -> ended
    var error = "0";
    var navRequest = "";
    var api = {};

    function fail(code) {
      error = code;
      return "false";
    }

    function limitOf(element) {
      if (!options.standardsMode) return LIMIT_OFF;
      if (table.strict[element]) return table.strict[element];
      var last = element.split(".").pop();
      return table.strict[last] || LIMIT_OFF;
    }

    function count(list) {
      var seen = {};
      var prefix = "cmi." + list + ".";
      Object.keys(data).forEach(function (element) {
        if (element.indexOf(prefix) === 0) {
          var n = element.slice(prefix.length).split(".")[0];
          if (/^\d+$/.test(n)) seen[n] = true;
        }
      });
      return Object.keys(seen).length; // a number, as Moodle gives it
    }

    /** What datamodel.php answers to the data sent with a Commit or Terminate. */
    function serverAnswer() {
      var request = navRequest;
      navRequest = "";
      if (options.noticeInAnswers || SEQUENCER_REQUESTS.test(request)) return HTML_NOTICE;
      return "true";
    }

    api[m.init] = function (arg) {
      if (arg !== "") return fail("201");
      if (state !== "new") return fail(codes.initialized);
      state = "running";
      error = "0";
      return "true";
    };

    api[m.get] = function (element) {
      if (state !== "running") {
        error = codes.notInitialized;
        return "";
      }
      error = "0";
      var counted = /^cmi\.(interactions|objectives)\._count$/.exec(element);
      if (counted) return count(counted[1]);
      if (table.writeOnly.indexOf(element) >= 0) {
        error = codes.writeOnly;
        return "";
      }
      if (Object.prototype.hasOwnProperty.call(data, element)) return data[element];
      if (!/^cmi\./.test(element)) error = codes.unknown;
      return "";
    };

    api[m.set] = function (element, value) {
      if (state !== "running") return fail(state === "ended" ? codes.terminated : codes.notInitialized);
      value = String(value);
      if (element === "adl.nav.request") {
        navRequest = value;
        error = "0";
        return "true";
      }
      if (!/^cmi\./.test(element) || /\._(count|children|version)$/.test(element)) return fail(codes.unknown);
      if (table.readOnly.indexOf(element) >= 0) return fail(codes.readOnly);
      if (value.length > limitOf(element)) return fail(codes.badValue);
      var allowed = table.vocab[element];
      if (allowed && allowed.indexOf(value) < 0) return fail(codes.badValue);
      data[element] = options.cutAt ? value.slice(0, options.cutAt) : value;
      error = "0";
      return "true";
    };

    api[m.commit] = function (arg) {
      if (arg !== "") return fail("201");
      if (state !== "running") return fail(codes.general);
      error = "0";
      return String(evaluateAnswer(serverAnswer()));
    };

    api[m.finish] = function (arg) {
      if (arg !== "") return fail("201");
      if (state !== "running") return fail(codes.general);
      state = "ended";
      error = "0";
      var spent = seconds(data[table.sessionTime] || "");
      if (spent) {
        var total = seconds(data[table.totalTime] || "") + spent;
        data[table.totalTime] = version === "1.2" ? timespan(total) : "PT" + total.toFixed(2) + "S";
      }
      delete data[table.sessionTime];
      return String(evaluateAnswer(serverAnswer()));
    };

    api[m.lastError] = function () {
      return error;
    };
    api[m.errorString] = function (code) {
      return "Moodle stand-in error " + code;
    };
    api[m.diagnostic] = function (code) {
      return "Moodle stand-in diagnostic " + code;
    };

    // scorm-again's surface, used by scorm-harness.js
    api.loadFromJSON = function (json) {
      var flat = flatten("cmi", json, {});
      Object.keys(flat).forEach(function (element) {
        data[element] = flat[element];
      });
    };
    api.renderCMIToJSONObject = function () {
      return { cmi: nest(data) };
    };
    api.standIn = { data: data, navRequest: function () { return navRequest; } };
    return api;
  }

  window.MoodleStandIn = {
    scorm12: function (settings) {
      return create("1.2", settings);
    },
    scorm2004: function (settings) {
      return create("2004", settings);
    },
  };
})();
