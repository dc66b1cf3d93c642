/*
 * coursepack SCORM 1.2 adapter (see docs/runtime.md for the adapter interface and the state
 * budget, scorm-api.js for the API connection). Every limit comes from config.target; every
 * call is followed by LMSGetLastError and guarded (scorm-api.js); 401 (not implemented) is
 * never fatal.
 *
 * Review: cmi.core.lesson_mode "review" or "browse" opens the course read-only (core) and the
 * adapter writes nothing: LMSInitialize and LMSFinish only, no data, no session_time, no
 * commit, so the LMS's total time does not grow. Score: only with `score: progress` in
 * course.yaml (core's courseScore), as cmi.core.score.raw 0-100 with min 0 and max 100, set
 * before the status; never passed or failed, no mastery score.
 */
(function (window) {
  "use strict";

  var Coursepack = window.Coursepack;
  if (!Coursepack || !window.CoursepackScorm) return;

  var DONE_STATUSES = { completed: true, passed: true, failed: true };
  var REVIEW_MODES = { review: true, browse: true };
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
    // what this session may write to cmi.suspend_data: the standard's limit, or a larger one
    // the LMS proved it keeps (target.suspendDataProbe, an LMS profile's; state.js probeBudget)
    var budget = limits.suspend;
    var api = null;
    var live = false; // initialized and not finished
    var review = false; // lesson_mode review or browse: nothing is written
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
        review = !!REVIEW_MODES[get("cmi.core.lesson_mode").value];
        var entry = get("cmi.core.entry").value;
        status = get("cmi.core.lesson_status").value;
        var location = window.CoursepackScorm.readLocation(get("cmi.core.lesson_location").value);
        var read = get("cmi.suspend_data");
        var suspend = read.value;
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
        if (!review) {
          // review writes nothing, not even a probe: the standard's budget is enough to read
          var probed = window.CoursepackState.probeBudget(
            {
              get: get,
              set: function (element, value) {
                return set(element, value, true, true);
              },
            },
            { element: "cmi.suspend_data", standard: limits.suspend, probe: target.suspendDataProbe, current: suspend }
          );
          budget = probed.budget;
          if (target.suspendDataProbe) ctx.log("info", "cmi.suspend_data budget " + budget + ": " + probed.reason);
        }
        if (location.section) {
          state = state || { opened: {}, tasks: {} };
          state.section = location.section;
        }
        if (!review) {
          if (!DONE_STATUSES[status]) {
            set("cmi.core.lesson_status", "incomplete");
            status = "incomplete";
          }
          // An unexpected close still resumes: suspend until the course is completed.
          set("cmi.core.exit", exitFor(!!DONE_STATUSES[status]));
        }
        return {
          connected: true,
          review: review,
          // the LMS would not give its saved data (it threw or answered garbage)
          stateUnread: read.error !== "0" && read.error !== "401",
          resumed: entry === "resume" || !!suspend || !!location.section,
          state: state,
          item: location.item,
          learner: learner,
          completed: status === "completed" || status === "passed",
        };
      },

      save: function (state) {
        if (!live) return { ok: false, omitted: [] };
        if (review) return { ok: true, omitted: [] };
        var packed = ctx.packState(state, budget, limits.suspend);
        var code = set("cmi.suspend_data", packed.text);
        var where = "0";
        if (state.section) {
          where = set("cmi.core.lesson_location", window.CoursepackScorm.location(state.section, state.item, limits.location));
        }
        return { ok: code === "0" && where === "0", omitted: packed.omitted };
      },

      recordTask: function (item, response, info) {
        if (!live || review || !interactions) return;
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
        if (!live || review) return;
        if (typeof p.score === "number") {
          // raw 0-100 (CMIDecimal, two decimals), min and max: a percent in every LMS
          set("cmi.core.score.raw", String(Math.round(Math.max(0, Math.min(1, p.score)) * 10000) / 100));
          set("cmi.core.score.min", "0");
          set("cmi.core.score.max", "100");
        }
        var graded = gradedStatus();
        if (graded) {
          if (status !== graded) set("cmi.core.lesson_status", graded);
          status = graded;
          set("cmi.core.exit", exitFor(p.completed || graded === "passed"));
          return;
        }
        if (!p.completed) return;
        if (status !== "completed" && status !== "passed") {
          set("cmi.core.lesson_status", "completed");
          status = "completed";
        }
        set("cmi.core.exit", exitFor(true));
      },

      commit: function () {
        if (!live || review) return { ok: true };
        return { ok: simple("LMSCommit").ok };
      },

      finish: function (info) {
        if (!live) return { ok: false };
        if (review) {
          live = false;
          return { ok: simple("LMSFinish").ok };
        }
        set("cmi.core.exit", exitFor(!!info.completed));
        set("cmi.core.session_time", ctx.util.scormTimespan(ctx.now() - startMs), true);
        // A synchronous commit is refused while the page is being dismissed; LMSFinish
        // persists everything anyway, so only commit first on an explicit exit.
        var committed = info.trigger === "pagehide" || simple("LMSCommit").ok;
        live = false;
        return { ok: simple("LMSFinish").ok && committed };
      },
    };
  });
})(window);
