/*
 * coursepack SCORM 2004 adapter (3rd and 4th Edition; see docs/runtime.md for the adapter interface).
 *
 * Every limit and vocabulary value comes from config.target (the target's runtime table in
 * targets/scorm2004.py, with the LMS profile's defaults merged in): API name, suspend_data and
 * location limits, the learner_response limit, the interaction type, the order in which score
 * and statuses are set, the cmi.exit values and the navigation request on an explicit exit.
 * Every call is followed by GetLastError and guarded (scorm-api.js); 401/402 (not
 * implemented) are never fatal.
 *
 * Review: cmi.mode "review" or "browse" opens the course read-only (core) and the adapter
 * writes nothing: Initialize and Terminate only (no data, no session_time, no commit, no
 * navigation request), so the LMS's total time does not grow.
 *
 * An ungraded course never writes cmi.success_status (it stays "unknown"); a score is sent
 * only with `score: progress` in course.yaml (core's courseScore): cmi.score.scaled 0-1
 * and raw 0-100 with min 0 and max 100, in statusOrder, never a passed/failed.
 * cmi.completion_status is "incomplete" from the first launch until the
 * completion rule is met, then "completed". Each TASK is one interaction (id = the TASK's
 * activity IRI), updated in place when the learner revises the reflection.
 *
 * A graded course (knowledge checks) records one interaction per answer, and once every
 * CHECK is answered the score (scaled, and raw in percent with min 0 and max 100) and
 * cmi.success_status passed/failed, apart from completion_status, in the table's order.
 */
(function (window) {
  "use strict";

  var Coursepack = window.Coursepack;
  if (!Coursepack || !window.CoursepackScorm) return;

  var NOT_IMPLEMENTED = { "401": true, "402": true };
  var REVIEW_MODES = { review: true, browse: true };

  // SCORM 2004's API, as the shared connection (scorm-api.js) needs it (403: a value never set,
  // expected on a first launch, so not logged as an error)
  function apiSpec(name) {
    return {
      label: "SCORM 2004",
      apiName: name,
      methods: {
        initialize: "Initialize",
        get: "GetValue",
        set: "SetValue",
        lastError: "GetLastError",
        errorString: "GetErrorString",
      },
      notImplemented: NOT_IMPLEMENTED,
      quiet: { "403": true },
    };
  }

  Coursepack.registerAdapter("scorm2004", function (ctx) {
    var target = ctx.config.target || {};
    var util = ctx.util;
    var limits = {
      suspend: target.suspendDataLimit,
      location: target.locationLimit,
      response: target.responseLimit,
      id: target.interactionIdLimit,
      description: target.interactionDescriptionLimit,
    };
    var statusOrder = target.statusOrder || ["score", "completion", "success"];
    var exitValues = {
      incomplete: target.exitIncomplete || "suspend",
      complete: target.exitComplete || "normal",
    };
    var navOnExit = target.navRequestOnExit || {};
    var api = null;
    var live = false; // initialized and not terminated
    var review = false; // cmi.mode "review" or "browse": nothing is written
    var completion = "";
    var interactions = true;
    var count = 0;
    var interactionIndex = {}; // interaction id -> n
    var startMs = 0;

    var scorm = window.CoursepackScorm.connect(apiSpec(target.apiName || "API_1484_11"), {
      window: window,
      log: ctx.log,
      reportError: ctx.reportError,
    });
    var get = scorm.get;
    var set = scorm.set;
    var simple = scorm.call;

    /**
     * A characterstring for a localized_string_type element: one line (scorm-again and other
     * LMSs reject line breaks), not starting with "{" (that would read as a delimiter such as
     * {lang=en}), at most `max` characters.
     */
    function localized(text, max) {
      var out = util.singleLine(text);
      if (out.charAt(0) === "{") out = " " + out;
      return util.truncate(out, max);
    }

    /** time(second,10,2): an ISO 8601 timestamp with at most two decimals of a second. */
    function timestamp(ms) {
      return util.iso(ms).replace(/\.(\d{2})\d*Z$/, ".$1Z");
    }

    /** Score, completion and success in the table's order (a score after a status is lost
     *  in some LMSs). Only the fields given are set. */
    function report(fields) {
      statusOrder.forEach(function (name) {
        var values = fields[name];
        if (!values) return;
        Object.keys(values).forEach(function (element) {
          set(element, values[element]);
        });
      });
    }

    function exitFor(completed) {
      return completed ? exitValues.complete : exitValues.incomplete;
    }

    // -- knowledge checks (a graded course); core calls setScore, then setProgress
    var Checks = window.CoursepackChecks;
    var decided = null; // the decided score, or null while a CHECK is unanswered
    var success = "";

    /** A new interaction at index `count`: its id first (408 otherwise), then its type
     *  (learner_response depends on it) and description; false when the LMS refused it. */
    function openInteraction(base, id, type, title) {
      var code = set(base + "id", id, true);
      if (code !== "0") {
        if (NOT_IMPLEMENTED[code]) interactions = false;
        return false;
      }
      interactionIndex[id] = count;
      count++;
      set(base + "type", type, true);
      set(base + "description", localized(title, limits.description), true);
      return true;
    }

    function recordCheck(item, response, info) {
      if (!live || review || !interactions || !item.check) return;
      var n = count;
      var base = "cmi.interactions." + n + ".";
      var suffix = "#" + ((info.round || 0) + 1) + "-" + info.attempt;
      var id = util.truncate(item.iri, limits.id - suffix.length) + suffix;
      if (!openInteraction(base, id, item.check.interactionType, item.title)) return;
      Checks.correctPatterns2004(item.check).forEach(function (pattern, i) {
        set(base + "correct_responses." + i + ".pattern", pattern, true);
      });
      set(base + "timestamp", timestamp(ctx.now()), true);
      set(base + "learner_response", Checks.scorm2004(item.check, response), true);
      set(base + "result", info.correct ? "correct" : "incorrect", true);
      if (typeof info.durationMs === "number") {
        set(base + "latency", util.isoDuration(info.durationMs), true);
      }
    }

    function setScore(score) {
      if (!live || review) return;
      decided = score && score.decided ? score : null;
    }

    /** The score and success_status of a decided score, for report(): a pass is never taken
     *  back; nothing is written while a CHECK is unanswered. */
    function gradedFields() {
      if (!decided) return {};
      var passed = success === "passed" || decided.passed;
      var scaled = Math.round(decided.scaled * 10000) / 10000;
      return {
        score: {
          "cmi.score.scaled": String(scaled),
          "cmi.score.raw": String(Math.round(decided.scaled * 100)),
          "cmi.score.min": "0",
          "cmi.score.max": "100",
        },
        success: { "cmi.success_status": passed ? "passed" : "failed" },
      };
    }

    function readInteractions() {
      var n = get("cmi.interactions._count");
      if (n.error !== "0") {
        interactions = false;
        return;
      }
      count = parseInt(n.value, 10) || 0;
      for (var i = 0; i < count; i++) {
        var id = get("cmi.interactions." + i + ".id");
        if (id.error === "0" && id.value) interactionIndex[id.value] = i;
      }
    }

    return {
      name: "scorm2004",

      start: function () {
        api = scorm.discover();
        if (!api) {
          ctx.log("info", "no SCORM 2004 API found: local mode");
          return { connected: false };
        }
        var init = simple("Initialize");
        if (!init.ok) {
          ctx.log("error", "Initialize failed", init.error);
          return { connected: false, failed: true };
        }
        live = true;
        startMs = ctx.now();
        review = !!REVIEW_MODES[get("cmi.mode").value];
        var entry = get("cmi.entry").value;
        completion = get("cmi.completion_status").value;
        // A first attempt has neither (reading them would only give 403, not initialized).
        var fresh = entry === "ab-initio";
        var location = window.CoursepackScorm.readLocation(fresh ? "" : get("cmi.location").value);
        var read = fresh ? { value: "", error: "0" } : get("cmi.suspend_data");
        var suspend = read.value;
        var learner = { id: get("cmi.learner_id").value, name: get("cmi.learner_name").value };
        readInteractions();
        var state = suspend ? ctx.unpackState(suspend) : null;
        if (location.section) {
          state = state || { opened: {}, tasks: {} };
          state.section = location.section;
        }
        var completed = completion === "completed";
        if (!review) {
          if (!completed) {
            report({ completion: { "cmi.completion_status": "incomplete" } });
            completion = "incomplete";
          }
          // An unexpected close still resumes: suspend until the course is completed.
          set("cmi.exit", exitFor(completed));
        }
        return {
          connected: true,
          review: review,
          // the LMS would not give its saved data (it threw or answered garbage)
          stateUnread: read.error !== "0" && read.error !== "403" && !NOT_IMPLEMENTED[read.error],
          resumed: entry === "resume" || !!suspend || !!location.section,
          state: state,
          item: location.item,
          learner: learner,
          completed: completed,
        };
      },

      save: function (state) {
        if (!live) return { ok: false, omitted: [] };
        if (review) return { ok: true, omitted: [] };
        var packed = ctx.packState(state, limits.suspend);
        var code = set("cmi.suspend_data", packed.text);
        var where = "0";
        if (state.section) {
          where = set("cmi.location", window.CoursepackScorm.location(state.section, state.item, limits.location));
        }
        return { ok: code === "0" && where === "0", omitted: packed.omitted };
      },

      recordTask: function (item, response, info) {
        if (!live || review || !interactions) return;
        var id = util.truncate(item.iri, limits.id);
        var fresh = !Object.prototype.hasOwnProperty.call(interactionIndex, id);
        var n = fresh ? count : interactionIndex[id];
        var base = "cmi.interactions." + n + ".";
        if (fresh && !openInteraction(base, id, target.interactionType || "long-fill-in", item.title)) return;
        set(base + "timestamp", timestamp(ctx.now()), true);
        set(base + "learner_response", localized(response, limits.response), true);
        set(base + "result", target.interactionResult || "neutral", true);
        if (typeof info.durationMs === "number") {
          set(base + "latency", util.isoDuration(info.durationMs), true);
        }
      },

      recordCheck: recordCheck,

      setScore: setScore,

      setProgress: function (p) {
        if (!live || review) return;
        if (typeof p.score === "number") {
          var scaled = Math.round(Math.max(0, Math.min(1, p.score)) * 10000) / 10000;
          report({
            score: {
              "cmi.score.scaled": String(scaled),
              "cmi.score.raw": String(Math.round(scaled * 10000) / 100),
              "cmi.score.min": "0",
              "cmi.score.max": "100",
            },
          });
        }
        if (typeof p.progressMeasure === "number") {
          var measure = Math.round(Math.max(0, Math.min(1, p.progressMeasure)) * 10000) / 10000;
          set("cmi.progress_measure", String(measure));
        }
        var fields = gradedFields();
        if (fields.success) success = fields.success["cmi.success_status"];
        // an LMS profile may refuse completion with a failure (Cornerstone)
        var failed = success === "failed";
        var complete = p.completed && !(failed && target.completionOnFailure === false);
        if (complete && completion !== "completed") {
          fields.completion = { "cmi.completion_status": "completed" };
          completion = "completed";
        }
        report(fields);
        if (complete) set("cmi.exit", exitFor(true));
      },

      commit: function () {
        if (!live || review) return { ok: true };
        return { ok: simple("Commit").ok };
      },

      finish: function (info) {
        if (!live) return { ok: false };
        if (review) {
          live = false;
          return { ok: simple("Terminate").ok };
        }
        var exit = exitFor(!!info.completed);
        set("cmi.exit", exit);
        set("cmi.session_time", util.isoDuration(ctx.now() - startMs), true);
        // The learner chose "Exit course": ask the LMS to leave the whole course
        // (suspendAll keeps the attempt for a resume, exitAll ends it); the LMS acts on it
        // after Terminate. A closed window needs no request.
        var request = info.trigger === "exit" ? navOnExit[exit] : "";
        if (request) set("adl.nav.request", request);
        // A synchronous commit is refused while the page is being dismissed; Terminate
        // persists everything anyway, so only commit first on an explicit exit.
        var committed = info.trigger === "pagehide" || simple("Commit").ok;
        live = false;
        return { ok: simple("Terminate").ok && committed };
      },
    };
  });
})(window);
