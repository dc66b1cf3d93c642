/*
 * coursepack SCORM 1.2 adapter (see docs/runtime.md for the adapter interface and the state
 * budget, scorm-api.js for the API connection). Every limit comes from config.target; every
 * call is followed by LMSGetLastError; 401 (not implemented) is never fatal.
 */
(function (window) {
  "use strict";

  var Coursepack = window.Coursepack;
  if (!Coursepack || !window.CoursepackScorm) return;

  var DONE_STATUSES = { completed: true, passed: true, failed: true };
  // SCORM 1.2's API, as the shared connection (scorm-api.js) needs it
  var API_SPEC = {
    label: "SCORM 1.2",
    apiName: "API",
    methods: {
      initialize: "LMSInitialize",
      get: "LMSGetValue",
      set: "LMSSetValue",
      lastError: "LMSGetLastError",
      errorString: "LMSGetErrorString",
    },
    notImplemented: { "401": true },
  };

  Coursepack.registerAdapter("scorm12", function (ctx) {
    var target = ctx.config.target || {};
    var limits = {
      suspend: target.suspendDataLimit,
      location: target.locationLimit,
      response: target.responseLimit,
      id: target.interactionIdLimit || target.locationLimit,
    };
    var api = null;
    var live = false; // initialized and not finished
    var status = "";
    var interactions = true;
    var count = 0;
    var startMs = 0;

    var scorm = window.CoursepackScorm.connect(API_SPEC, {
      window: window,
      log: ctx.log,
      reportError: ctx.reportError,
    });
    var get = scorm.get;
    var set = scorm.set;
    var simple = scorm.call;

    // cmi.core.exit by course state, from the target table (an LMS profile may override:
    // Moodle keeps "suspend" after completion so that a relaunch resumes, not restarts).
    function exitFor(completed) {
      var value = completed ? target.exitComplete : target.exitIncomplete;
      return typeof value === "string" ? value : completed ? "" : "suspend";
    }

    // -- knowledge checks (a graded course): one interaction per answer, the score once every
    // CHECK is answered, then lesson_status passed/failed set by the content (the manifest
    // has no adlcp:masteryscore, so no LMS recomputes it). Core calls setScore before
    // setProgress: the score is always written before the status.
    var Checks = window.CoursepackChecks;
    var decided = null; // the decided score, or null while a CHECK is unanswered

    function recordCheck(item, response, info) {
      if (!live || !interactions || !item.check) return;
      var base = "cmi.interactions." + count + ".";
      var id = ctx.util.safeId(
        "check_" + item.key.replace("/", "_") + "_" + ((info.round || 0) + 1) + "_" + info.attempt,
        target.idPattern,
        limits.id
      );
      if (set(base + "id", id, true) === "401") {
        interactions = false;
        return;
      }
      set(base + "type", item.check.interactionType, true);
      Checks.correctPatterns12(item.check).forEach(function (pattern, i) {
        set(base + "correct_responses." + i + ".pattern", pattern, true);
      });
      set(base + "student_response", Checks.scorm12(item.check, response), true);
      set(base + "time", ctx.util.clockTime(new Date(ctx.now())), true);
      set(base + "result", info.correct ? "correct" : "wrong", true);
      if (typeof info.durationMs === "number") {
        set(base + "latency", ctx.util.scormTimespan(info.durationMs), true);
      }
      count++;
    }

    /** score.raw in percent (min 0, max 100), as SCORM 1.2 LMSs grade it. */
    function setScore(score) {
      if (!live) return;
      decided = score && score.decided ? score : null;
      if (!decided) return;
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", String(Math.round(decided.scaled * 100)));
    }

    /** passed / failed once decided ("" before); a pass is never taken back. */
    function gradedStatus() {
      if (!decided) return "";
      if (status === "passed") return "passed";
      return decided.passed ? "passed" : "failed";
    }

    return {
      name: "scorm12",

      start: function () {
        api = scorm.discover();
        if (!api) {
          ctx.log("info", "no SCORM 1.2 API found: local mode");
          return { connected: false };
        }
        var init = simple("LMSInitialize");
        if (!init.ok) {
          ctx.log("error", "LMSInitialize failed", init.error);
          return { connected: false, failed: true };
        }
        live = true;
        startMs = ctx.now();
        var entry = get("cmi.core.entry").value;
        status = get("cmi.core.lesson_status").value;
        var location = get("cmi.core.lesson_location").value;
        var suspend = get("cmi.suspend_data").value;
        var learner = {
          id: get("cmi.core.student_id").value,
          name: get("cmi.core.student_name").value,
        };
        var n = get("cmi.interactions._count");
        if (n.error === "0") {
          count = parseInt(n.value, 10) || 0;
        } else {
          interactions = false;
        }
        var state = suspend ? ctx.unpackState(suspend) : null;
        if (location) {
          state = state || { opened: {}, tasks: {} };
          state.section = location;
        }
        if (!DONE_STATUSES[status]) {
          set("cmi.core.lesson_status", "incomplete");
          status = "incomplete";
        }
        // An unexpected close still resumes: suspend until the course is completed.
        set("cmi.core.exit", exitFor(!!DONE_STATUSES[status]));
        return {
          connected: true,
          resumed: entry === "resume" || !!suspend || !!location,
          state: state,
          learner: learner,
          completed: status === "completed" || status === "passed",
        };
      },

      save: function (state) {
        if (!live) return { ok: false, omitted: [] };
        var packed = ctx.packState(state, limits.suspend);
        var code = set("cmi.suspend_data", packed.text);
        if (state.section) {
          set("cmi.core.lesson_location", ctx.util.truncate(state.section, limits.location));
        }
        return { ok: code === "0", omitted: packed.omitted };
      },

      recordTask: function (item, response, info) {
        if (!live || !interactions) return;
        var base = "cmi.interactions." + count + ".";
        var id = ctx.util.safeId(
          "task_" + item.key.replace("/", "_") + "_" + info.attempt,
          target.idPattern,
          limits.id
        );
        if (set(base + "id", id, true) === "401") {
          interactions = false;
          return;
        }
        set(base + "type", target.interactionType || "fill-in", true);
        set(
          base + "student_response",
          ctx.util.truncate(ctx.util.singleLine(response), limits.response),
          true
        );
        set(base + "time", ctx.util.clockTime(new Date(ctx.now())), true);
        set(base + "result", target.interactionResult || "neutral", true);
        if (typeof info.durationMs === "number") {
          set(base + "latency", ctx.util.scormTimespan(info.durationMs), true);
        }
        count++;
      },

      recordCheck: recordCheck,

      setScore: setScore,

      setProgress: function (p) {
        var graded = live ? gradedStatus() : "";
        if (graded) {
          if (status !== graded) set("cmi.core.lesson_status", graded);
          status = graded;
          set("cmi.core.exit", exitFor(p.completed || graded === "passed"));
          return;
        }
        if (!live || !p.completed) return;
        if (status !== "completed" && status !== "passed") {
          set("cmi.core.lesson_status", "completed");
          status = "completed";
        }
        set("cmi.core.exit", exitFor(true));
      },

      commit: function () {
        if (!live) return;
        simple("LMSCommit");
      },

      finish: function (info) {
        if (!live) return;
        set("cmi.core.exit", exitFor(!!info.completed));
        set("cmi.core.session_time", ctx.util.scormTimespan(ctx.now() - startMs), true);
        // A synchronous commit is refused while the page is being dismissed; LMSFinish
        // persists everything anyway, so only commit first on an explicit exit.
        if (info.trigger !== "pagehide") simple("LMSCommit");
        live = false;
        simple("LMSFinish");
      },
    };
  });
})(window);
