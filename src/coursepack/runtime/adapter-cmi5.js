/*
 * coursepack cmi5 adapter (see docs/runtime.md for the adapter interface, xapi-tracker.js for
 * the tracker and its persistent outbox, targets/cmi5.py for cmi5.xml and config.target).
 *
 * Launch (cmi5 §8.1): <AU url>?endpoint=…&fetch=…&actor=…&registration=…&activityId=…, any
 * order, next to the AU url's own ?module=<id> (a per-module AU: core shows that module only).
 *
 *   1. The auth token: POST to `fetch` exactly once per session; the answer is kept in
 *      sessionStorage (keyed by the one-time fetch URL) so a reload in the same session does
 *      not call it again (cmi5 best practice 17). Every request then sends "Basic <token>".
 *   2. LMS.LaunchData from the State resource: contextTemplate (the base context of every
 *      statement, never overwritten), launchMode, moveOn, masteryScore, returnURL.
 *   3. cmi5LearnerPreferences from the Agent Profile resource (read as the spec requires;
 *      a missing document or resource is normal).
 *   4. Statements, all through one tracker (xapi-tracker.js, persistent outbox):
 *      - cmi5 defined (object = the launch activityId, cmi5 category): `initialized` first;
 *        `completed` when the completion rule of the AU's scope is met — at most once per
 *        registration (the LRS is asked, and the saved state remembers), with duration and
 *        the moveon category, never a score or success; `terminated` last, with duration.
 *      - a graded AU (knowledge checks): `passed` when every CHECK is answered and the score
 *        reaches the pass mark — or LaunchData's masteryScore, which then decides (and is
 *        sent in the masteryscore extension) — at most once per registration; `failed` when
 *        it does not, sent at the end of the session (just before `terminated`) so that a
 *        learner who retries and passes in the same session sends `passed` only (a session
 *        never holds both), and never once the registration has a `passed`. Both carry
 *        result.score (scaled, raw, min, max), success, duration and the moveon category.
 *      - cmi5 allowed (no cmi5 category; the AU's activityId added as parent): the xAPI
 *        target's own vocabulary from the course emitter (xapi-emitter.js): `experienced` for
 *        a READ or WATCH, `completed` with the response for a TASK, `answered` for a CHECK. Only in launchMode Normal: Browse
 *        and Review send `initialized` and `terminated` only.
 *   5. The session's last State save is done (or, on pagehide, sent with keepalive) before
 *      `terminated` (core's session-end.js orders it); after `terminated` (an explicit exit)
 *      and its delivery, the window or frame goes to returnURL, if any.
 *
 * The session's defined statements are remembered in sessionStorage too: a reload never sends
 * a second `initialized` or fetches a second token, and after `terminated` (sent when the page
 * is closed or reloaded: a page cannot tell the two apart) the session is over — a reloaded
 * page then says so (notice.ended) and keeps progress in this browser only.
 */
(function (window) {
  "use strict";

  var Coursepack = window.Coursepack;
  var X = window.CoursepackXAPI;
  if (!Coursepack || !X) return;

  function sessionStore() {
    try {
      var s = window.sessionStorage;
      s.setItem("coursepack:probe", "1");
      s.removeItem("coursepack:probe");
      return s;
    } catch (err) {
      return null;
    }
  }

  Coursepack.registerAdapter("cmi5", function (ctx) {
    var config = ctx.config;
    var target = config.target || {};
    var xconf = config.xapi || {};
    var cmi5 = xconf.cmi5 || {};
    var verbs = xconf.verbs || {};
    var course = config.course || {};
    var stateId = xconf.stateId || "coursepack-state";
    var launchModes = target.launchModes || { Normal: true, Browse: false, Review: false };
    var launch = X.parseCmi5Launch(window.location.search);
    var store = sessionStore();
    var sessionKey = "coursepack:cmi5:" + X.shortHash(launch.fetch || "");
    var auth = "";
    var tracker = null;
    var emitter = null;
    var launchData = null;
    var tracking = false; // launchMode Normal: completed and the allowed statements
    var live = false;
    var startMs = 0;
    var completedSent = false;
    var passedSent = false; // in this registration
    var failedPending = null; // a failed score to send before terminated
    var failedSent = false; // in this session
    var mastery = null; // LaunchData's masteryScore, when it gives one
    var returnURL = "";
    var progress = null;
    var saidUnavailable = false;
    var reportedStop = false;

    // --- the session record (sessionStorage): token and defined statements already sent
    /** {token: string, sent: {verb: true}, startMs: number}; anything else stored is dropped. */
    function readSession() {
      var value;
      try {
        value = JSON.parse((store && store.getItem(sessionKey)) || "null");
      } catch (err) {
        return {};
      }
      var out = {};
      if (!value || typeof value !== "object") return out;
      if (typeof value.token === "string" && value.token) out.token = value.token;
      if (value.sent && typeof value.sent === "object" && !Array.isArray(value.sent)) {
        out.sent = {};
        ["initialized", "completed", "terminated"].forEach(function (verb) {
          if (value.sent[verb] === true) out.sent[verb] = true;
        });
      }
      if (typeof value.startMs === "number" && isFinite(value.startMs) && value.startMs > 0) out.startMs = value.startMs;
      return out;
    }

    function writeSession(update) {
      var value = Object.assign(readSession(), update);
      try {
        if (store) store.setItem(sessionKey, JSON.stringify(value));
      } catch (err) {
        /* a full or refused sessionStorage only loses reload support */
      }
      return value;
    }

    function markSent(verb) {
      var sent = readSession().sent || {};
      sent[verb] = true;
      writeSession({ sent: sent });
    }

    // --- HTTP to the LMS (fetch URL) and its LRS (documents, statement queries)
    async function getToken() {
      var saved = readSession();
      if (saved.token) return { token: saved.token };
      var res;
      try {
        res = await window.fetch(launch.fetch, {
          method: "POST",
          credentials: "omit",
          cache: "no-store",
        });
      } catch (err) {
        return { error: "the fetch URL could not be reached: " + String(err) };
      }
      var body = null;
      try {
        body = await res.json();
      } catch (err) {
        body = null;
      }
      if (res.status !== 200 || !body || typeof body["auth-token"] !== "string" || !body["auth-token"]) {
        var code = body && body["error-code"] ? " (error-code " + body["error-code"] + ": " + (body["error-text"] || "") + ")" : "";
        return { error: "the fetch URL gave no auth token: HTTP " + res.status + code };
      }
      writeSession({ token: body["auth-token"] });
      return { token: body["auth-token"] };
    }

    async function lrsGet(path, params) {
      var query = Object.keys(params)
        .map(function (k) {
          return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
        })
        .join("&");
      try {
        var res = await window.fetch(launch.endpoint + path + "?" + query, {
          method: "GET",
          headers: { Authorization: auth, "X-Experience-API-Version": xconf.version || "1.0.3" },
          credentials: "omit",
          cache: "no-store",
        });
        var text = await res.text();
        var value = null;
        try {
          value = JSON.parse(text);
        } catch (err) {
          value = null;
        }
        return { status: res.status, value: value };
      } catch (err) {
        return { status: 0, value: null };
      }
    }

    function agentParam() {
      return JSON.stringify(tracker ? tracker.actor : launch.actor);
    }

    /** Has a `verb` statement for this AU been stored in this registration already? */
    async function sentInRegistration(verb) {
      var res = await lrsGet("statements", {
        agent: agentParam(),
        verb: verbs[verb],
        activity: launch.activityId,
        registration: launch.registration,
        limit: 1,
      });
      var found = res.status === 200 && res.value && Array.isArray(res.value.statements) ? res.value.statements : [];
      return found.length > 0;
    }

    // --- statements
    function category(id) {
      return { objectType: "Activity", id: id };
    }

    /** A cmi5 defined statement: object = activityId, cmi5 category (+ moveon). */
    function sendDefined(verb, result, moveOn, context) {
      var categories = [category(cmi5.category)];
      if (moveOn) categories.push(category(cmi5.moveOnCategory));
      var statement = tracker.send({
        verb: verb,
        object: launch.activityId,
        result: result,
        category: categories,
        context: context,
        cmi5Defined: true,
      });
      markSent(verb);
      return statement;
    }

    /** Allowed statements: the AU's activityId as parent; never the cmi5 category. */
    function decorate(statement, partial) {
      if (partial && partial.cmi5Defined) return;
      var context = (statement.context = statement.context || {});
      var ca = (context.contextActivities = context.contextActivities || {});
      var parents = Array.isArray(ca.parent) ? ca.parent : ca.parent ? [ca.parent] : [];
      if (!parents.some(function (a) {
        return a.id === launch.activityId;
      })) {
        parents.push(category(launch.activityId));
      }
      ca.parent = parents;
      if (Array.isArray(ca.category)) {
        ca.category = ca.category.filter(function (a) {
          return a.id !== cmi5.category && a.id !== cmi5.moveOnCategory;
        });
        if (!ca.category.length) delete ca.category;
      }
    }

    function duration() {
      return X.isoDuration(ctx.now() - startMs);
    }

    // --- knowledge checks: passed / failed (cmi5 defined), with the score
    function scoreResult(score, success) {
      return {
        success: success,
        score: { scaled: score.scaled, raw: score.raw, min: 0, max: score.max },
        duration: duration(),
      };
    }

    function masteryContext() {
      if (mastery === null || !cmi5.masteryExtension) return undefined;
      var extensions = {};
      extensions[cmi5.masteryExtension] = mastery;
      return { extensions: extensions };
    }

    function setScore(score) {
      if (!live || !tracking || !score || !score.decided) return;
      if (score.passed) {
        failedPending = null;
        if (passedSent || failedSent) return; // a session never holds both
        passedSent = true;
        sendDefined("passed", scoreResult(score, true), true, masteryContext());
      } else if (!passedSent) {
        failedPending = score;
      }
    }

    function sendPendingFailed() {
      if (!failedPending || failedSent || passedSent || !tracking) return;
      failedSent = true;
      sendDefined("failed", scoreResult(failedPending, false), true, masteryContext());
      failedPending = null;
    }

    function onStatus(status) {
      if (status.mode === "stopped" && status.stopped && !reportedStop) {
        reportedStop = true;
        X.note("the LRS refused the cmi5 token (HTTP " + status.stopped.status + "): sending stopped; statements are kept in this browser");
        ctx.reportError(String(status.stopped.status || "LRS"), status.stopped.message);
      }
    }

    function fail(message, data) {
      X.note(message);
      ctx.log("error", "cmi5: " + message, data);
      return { connected: false, failed: true };
    }

    return {
      name: "cmi5",

      start: async function () {
        if (!launch.any) {
          X.note("launched without cmi5 parameters: not tracking (local mode)");
          return { connected: false };
        }
        if (!launch.endpoint || !launch.fetch || !launch.activityId || !launch.registration) {
          return fail("the cmi5 launch parameters are incomplete", window.location.search);
        }
        if (!launch.actor || !launch.actor.account) {
          return fail("the cmi5 launch has no actor with an account", launch.actorRaw);
        }
        var session = readSession();
        if (session.sent && session.sent.terminated) {
          // Nothing may follow terminated in a session: the learner relaunches from the LMS.
          X.note("this cmi5 session has ended (terminated); launch the course again from the LMS");
          return { connected: false, failed: true, ended: true };
        }
        var token = await getToken();
        if (!token.token) return fail(token.error);
        auth = "Basic " + token.token;

        var ld = await lrsGet("activities/state", {
          stateId: target.launchDataStateId || "LMS.LaunchData",
          activityId: launch.activityId,
          agent: JSON.stringify(launch.actor),
          registration: launch.registration,
        });
        if (ld.status !== 200 || !ld.value || typeof ld.value !== "object" || !ld.value.contextTemplate) {
          return fail("LMS.LaunchData could not be read (HTTP " + ld.status + ")");
        }
        launchData = ld.value;
        returnURL = launchData.returnURL || launchData.returnUrl || "";
        var mode = launchData.launchMode || "Normal";
        tracking = launchModes[mode] === true;
        // Read as the spec requires at startup; nothing here depends on it.
        await lrsGet("agents/profile", {
          agent: JSON.stringify(launch.actor),
          profileId: target.learnerPreferencesProfileId || "cmi5LearnerPreferences",
        });

        tracker = X.createTracker({
          endpoint: launch.endpoint,
          auth: auth,
          actor: launch.actor,
          registration: launch.registration,
          rootId: launch.activityId,
          contextTemplate: launchData.contextTemplate,
          decorate: decorate,
          onStatus: onStatus,
          platform: xconf.platform,
        });
        startMs = session.startMs || ctx.now();
        writeSession({ startMs: startMs });
        if (!(session.sent && session.sent.initialized)) sendDefined("initialized");

        progress = X.createProgressStore(tracker, {
          stateId: stateId,
          activityId: launch.activityId,
          localKey:
            (course.storageKey || "coursepack") +
            ":cmi5-state:" +
            X.shortHash([launch.endpoint, X.actorKey(tracker.actor), launch.registration, launch.activityId].join("|")),
          now: ctx.now,
        });
        var saved = await progress.load();
        var fromLrs = saved.fromLrs;
        var local = saved.local;
        var chosen = saved.doc;
        completedSent = !!((fromLrs && fromLrs.cmi5Completed) || (local && local.cmi5Completed));
        if (tracking && !completedSent) completedSent = await sentInRegistration("completed");
        var graded = !!course.assessment;
        passedSent = !!((fromLrs && fromLrs.cmi5Passed) || (local && local.cmi5Passed));
        if (tracking && graded && !passedSent) passedSent = await sentInRegistration("passed");
        var ms = launchData.masteryScore;
        if (typeof ms === "number" && isFinite(ms) && ms >= 0 && ms <= 1) mastery = ms;

        if (tracking) {
          emitter = X.createCourseEmitter(tracker);
          // Nothing may follow terminated: a learner who stays on the page after "Save and
          // exit" (no returnURL) is no longer tracked.
          Coursepack.on("item:opened", function (detail) {
            if (live) emitter.itemOpened(detail);
          });
          Coursepack.on("task:completed", function (detail) {
            if (live) emitter.taskCompleted(detail);
          });
          Coursepack.on("check:answered", function (detail) {
            if (live) emitter.checkAnswered(detail);
          });
        }
        Coursepack.onHidden(function () {
          tracker.flush({ keepalive: true });
        });
        live = true;
        var state = chosen ? ctx.unpackState(chosen.state) : null;
        return {
          connected: true,
          resumed: !!state,
          state: state,
          learner: { id: X.actorKey(tracker.actor), name: tracker.actor.name || "" },
          completed: completedSent,
          masteryScore: mastery === null ? undefined : mastery,
        };
      },

      save: async function (state, info) {
        if (!live) return { ok: false, omitted: [] };
        var packed = ctx.packState(state, null);
        // the last save on pagehide leaves with keepalive, before terminated
        var keepalive = !!(info && info.final && info.trigger === "pagehide");
        var result = await progress.save(
          packed.text,
          { cmi5Completed: completedSent, cmi5Passed: passedSent },
          { keepalive: keepalive }
        );
        if (result.unavailable && !saidUnavailable) {
          saidUnavailable = true;
          X.note("this LRS has no State resource: progress is saved in this browser only");
        }
        return { ok: result.ok, omitted: packed.omitted };
      },

      setScore: setScore,

      setProgress: function (p) {
        // completed: the AU's completion rule is met (moveOn "Completed"); once per registration
        if (!live || !tracking || !p.completed || completedSent) return;
        // an LMS profile may refuse completion with a failure (Cornerstone)
        if (failedPending && target.completionOnFailure === false) return;
        completedSent = true;
        sendDefined("completed", { completion: true, duration: duration() }, true);
      },

      commit: function () {
        if (tracker && window.document.visibilityState !== "hidden") return tracker.flush();
        return undefined;
      },

      finish: async function (info) {
        if (!live) return;
        live = false;
        sendPendingFailed();
        sendDefined("terminated", { duration: duration() });
        if (info && info.trigger === "pagehide") {
          tracker.flush({ keepalive: true });
          return;
        }
        await tracker.flush();
        if (!returnURL) return;
        try {
          var url = new window.URL(returnURL, window.location.href);
          // only a web address: never a javascript: or data: URL from the launch data
          if (url.protocol === "http:" || url.protocol === "https:") window.location.assign(url.href);
          else ctx.log("error", "cmi5: returnURL is not a web address", returnURL);
        } catch (err) {
          ctx.log("error", "cmi5: could not go to returnURL", returnURL);
        }
      },
    };
  });
})(window);
