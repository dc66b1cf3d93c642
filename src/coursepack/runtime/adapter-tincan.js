/*
 * coursepack xAPI / Tin Can adapter (see docs/runtime.md for the adapter interface,
 * xapi-tracker.js for the tracker, docs/xapi.md for the whole story).
 *
 * Launch: index.html?endpoint=…&auth=…&actor=…&registration=…&activity_id=… (Rustici launch
 * convention; also activity_platform and grouping). Without an endpoint the course runs in
 * local mode and says it is not tracking. The actor is normalised (legacy 0.9/0.95 forms) to
 * one Agent with exactly one identifier.
 *
 * Statements come from the course emitter (xapi-emitter.js, bound to core's events); the
 * last State save goes before suspended/terminated (core's session-end.js). Saved progress
 * goes to the xAPI State resource (stateId config.xapi.stateId, activity = activity_id or the
 * course IRI, agent = actor, registration) and always to this browser too (localStorage): an
 * LRS without a State resource (Ralph, Learning Locker: 404/405 on PUT) leaves the browser copy
 * as the only one, which the debug view says. On start the newer of the two copies wins.
 */
(function (window) {
  "use strict";

  var Coursepack = window.Coursepack;
  var X = window.CoursepackXAPI;
  if (!Coursepack || !X) return;

  Coursepack.registerAdapter("tincan", function (ctx) {
    var config = ctx.config;
    var xconf = config.xapi || {};
    var course = config.course || {};
    var stateId = xconf.stateId || "coursepack-state";
    var launch = X.parseLaunch(window.location.search);
    var tracker = null;
    var live = false;
    var progress = null;
    var saidUnavailable = false;
    var reportedStop = false;

    function onStatus(status) {
      if (status.mode === "stopped" && status.stopped && !reportedStop) {
        reportedStop = true;
        X.note("the LRS refused the credential (HTTP " + status.stopped.status + "): sending stopped; statements are kept in this browser");
        ctx.reportError(String(status.stopped.status || "LRS"), status.stopped.message);
      }
    }

    return {
      name: "tincan",

      start: async function () {
        if (!launch.endpoint) {
          X.note("launched without LRS parameters: not tracking (local mode)");
          ctx.log("info", "no xAPI launch parameters: local mode");
          return { connected: false };
        }
        if (!launch.actor) {
          X.note("the launch has no usable actor (" + launch.actorRaw + "): not tracking");
          ctx.log("error", "xAPI launch without a usable actor", launch.actorRaw);
          return { connected: false, failed: true };
        }
        if (launch.registrationRaw && !launch.registration) {
          X.note("ignoring a registration that is not a UUID: " + launch.registrationRaw);
        }
        var template;
        if (launch.grouping) {
          template = { contextActivities: { grouping: [{ objectType: "Activity", id: launch.grouping }] } };
        }
        tracker = X.createTracker({
          endpoint: launch.endpoint,
          auth: launch.auth,
          actor: launch.actor,
          registration: launch.registration,
          objectIdOverride: launch.activityId,
          platform: launch.platform || xconf.platform,
          contextTemplate: template,
          onStatus: onStatus,
        });
        X.createCourseEmitter(tracker).bind(Coursepack);
        progress = X.createProgressStore(tracker, {
          stateId: stateId,
          localKey:
            (course.storageKey || "coursepack") +
            ":tincan-state:" +
            X.shortHash([launch.endpoint, X.actorKey(tracker.actor), launch.registration, tracker.objectId].join("|")),
          now: ctx.now,
        });
        var chosen = (await progress.load()).doc;
        live = true;
        var state = chosen ? ctx.unpackState(chosen.state) : null;
        return {
          connected: true,
          resumed: !!state,
          state: state,
          learner: { id: X.actorKey(tracker.actor), name: tracker.actor.name || "" },
        };
      },

      save: async function (state, info) {
        if (!live) return { ok: false, omitted: [] };
        var packed = ctx.packState(state, null);
        // the last save on pagehide leaves with keepalive, before suspended/terminated
        var keepalive = !!(info && info.final && info.trigger === "pagehide");
        var result = await progress.save(packed.text, null, { keepalive: keepalive });
        if (result.unavailable && !saidUnavailable) {
          saidUnavailable = true;
          X.note(
            "this LRS has no State resource (HTTP " + (result.http || "?") + "): progress is saved in this browser only (localStorage)"
          );
        }
        return { ok: result.ok, omitted: packed.omitted };
      },

      commit: function () {
        // The tracker sends soon after every statement; when the page is hidden, the
        // onHidden hook sends with keepalive instead.
        if (tracker && window.document.visibilityState !== "hidden") return tracker.flush();
        return undefined;
      },

      finish: function () {
        live = false;
        if (tracker) tracker.flush({ keepalive: true });
      },
    };
  });
})(window);
