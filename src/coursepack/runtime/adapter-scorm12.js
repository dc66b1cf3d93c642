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
    // what this session may write to cmi.suspend_data: the standard's limit, or a larger one
    // the LMS proved it keeps (target.suspendDataProbe, an LMS profile's; state.js probeBudget)
    var budget = limits.suspend;
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
    // This adapter sends no score, so there is no score/status order to keep.
    function exitFor(completed) {
      var value = completed ? target.exitComplete : target.exitIncomplete;
      return typeof value === "string" ? value : completed ? "" : "suspend";
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
        var packed = ctx.packState(state, budget, limits.suspend);
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

      setProgress: function (p) {
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
