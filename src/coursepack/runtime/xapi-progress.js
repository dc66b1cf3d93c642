/*
 * coursepack runtime: saved progress for the LRS-launched adapters (tincan, cmi5):
 * CoursepackXAPI.createProgressStore
 *
 * The xAPI State resource and a copy in this browser. An LRS without a State resource
 * (404/405) leaves the browser copy as the only one; on start the newer of the two wins.
 *
 *   var progress = X.createProgressStore(tracker, {stateId, localKey, activityId?, now,
 *                                                  storage?, hidden?})
 *   progress.load() -> Promise<{doc, fromLrs, local, status}>: doc = the newer copy (or null)
 *   progress.save(text, extra, {keepalive}) -> Promise<{ok, unavailable, http}>
 *       extra fields go into the document. Saves reach the LRS in the order they were made:
 *       one waits for the one before it, except a keepalive save (the page is going away),
 *       which leaves at once (up to 8 KiB). A save while the page is hidden is a keepalive
 *       save too.
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var C = X.constants;
  var FORMAT = "coursepack-state/1";

  function createProgressStore(tracker, options) {
    var stateId = options.stateId;
    var localKey = options.localKey;
    var params = options.activityId ? { activityId: options.activityId } : undefined;
    var storage = options.storage;
    var hidden =
      options.hidden ||
      function () {
        return !!window.document && window.document.visibilityState === "hidden";
      };
    var previous = Promise.resolve(); // the last save's PUT

    function local() {
      if (storage !== undefined) return storage;
      try {
        return window.localStorage;
      } catch (err) {
        return null;
      }
    }

    function parseDoc(value) {
      if (U.isObject(value) && value.format === FORMAT && typeof value.state === "string") return value;
      return null;
    }

    function savedMs(doc) {
      var ms = doc && typeof doc.savedAt === "string" ? Date.parse(doc.savedAt) : NaN;
      return isNaN(ms) ? 0 : ms;
    }

    function readLocal() {
      try {
        var s = local();
        return s ? parseDoc(JSON.parse(s.getItem(localKey) || "null")) : null;
      } catch (err) {
        return null;
      }
    }

    function writeLocal(doc) {
      try {
        var s = local();
        if (s) s.setItem(localKey, JSON.stringify(doc));
      } catch (err) {
        /* the LRS copy still holds it */
      }
    }

    async function load() {
      var remote = await tracker.state.get(stateId, params);
      var fromLrs = remote.status === "ok" ? parseDoc(remote.value) : null;
      var mine = readLocal();
      var doc = fromLrs;
      if (mine && (!doc || savedMs(mine) > savedMs(doc))) doc = mine;
      if (mine && doc === mine && !fromLrs) {
        X.note("resuming from this browser's copy: the LRS gave no saved state (" + remote.status + ")");
      }
      return { doc: doc, fromLrs: fromLrs, local: mine, status: remote.status };
    }

    function save(text, extra, opts) {
      var doc = { format: FORMAT, state: text, savedAt: new Date(options.now()).toISOString() };
      Object.keys(extra || {}).forEach(function (key) {
        doc[key] = extra[key];
      });
      writeLocal(doc);
      var body = JSON.stringify(doc);
      var urgent = !!(opts && opts.keepalive) || hidden();
      var put = { keepalive: urgent && U.byteLength(body) <= C.STATE_KEEPALIVE_MAX };
      if (params) put.activityId = params.activityId;
      function send() {
        return tracker.state.put(stateId, body, put);
      }
      // the request starts now when the page is going away; else after the previous save
      var sent = urgent ? send() : previous.then(send, send);
      previous = sent.then(
        function () {},
        function () {}
      );
      return sent.then(function (result) {
        return {
          ok: result.status === "ok" || result.status === "unavailable",
          unavailable: result.status === "unavailable",
          http: result.http,
        };
      });
    }

    return { load: load, save: save };
  }

  X.createProgressStore = createProgressStore;
})(window);
