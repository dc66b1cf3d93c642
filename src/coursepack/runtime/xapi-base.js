/*
 * coursepack runtime: what every xAPI file shares (window.CoursepackXAPI, first part)
 *
 * Creates the namespace the other xapi-*.js files add to, and holds the constants and small
 * helpers they all take from here (one way only), the page's keepalive budget, the notes shown
 * by the debug view, and the tracker registry with its change signal.
 *
 *   X.constants               version, batch and keepalive limits, timeouts, REJECTED, IFI_ORDER
 *   X.ensureSlash(url)  X.query(params)  X.isoDuration(ms)  X.shortHash(text)
 *   X.keepaliveBudget()       {inFlight: bytes}: keepalive bodies in flight (one per page)
 *   X.note(text)  X.notes     what the debug view lists
 *   X.trackers                every tracker made in this page (xapi-tracker.js registers them)
 *   X.watch(fn)  X.changed()  fn() after any tracker or note changed (the debug view listens)
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;

  var constants = {
    VERSION: "1.0.3",
    BATCH_SIZE: 25,
    MAX_BATCH_BYTES: 512 * 1024,
    // fetch keepalive: the browser refuses a request whose body would bring the keepalive
    // bodies in flight in this page over 64 KiB. Statements use at most 56 KiB of it (8 KiB:
    // State).
    KEEPALIVE_LIMIT: 64 * 1024,
    KEEPALIVE_BUDGET: 56 * 1024,
    STATE_KEEPALIVE_MAX: 8 * 1024,
    REQUEST_TIMEOUT_MS: 30000,
    STATE_GET_TIMEOUT_MS: 8000,
    MAX_BACKOFF_MS: 60000,
    FLUSH_DELAY_MS: 50,
    IFI_ORDER: ["mbox", "mbox_sha1sum", "openid", "account"], // TinCanJS's order
    // A statement the LRS will never take: 400 (xAPI), 422 (Ralph's validation), 413 (too big).
    REJECTED: { 400: true, 413: true, 422: true },
    XAPI_ADAPTERS: { tincan: true, cmi5: true },
  };

  function ensureSlash(endpoint) {
    endpoint = String(endpoint || "").trim();
    return endpoint && endpoint.charAt(endpoint.length - 1) !== "/" ? endpoint + "/" : endpoint;
  }

  function query(params) {
    return Object.keys(params)
      .filter(function (k) {
        return params[k] !== undefined && params[k] !== null && params[k] !== "";
      })
      .map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
      })
      .join("&");
  }

  var pageBudget = { inFlight: 0 };
  var watchers = [];
  var notes = [];

  function changed() {
    watchers.slice().forEach(function (fn) {
      try {
        fn();
      } catch (err) {
        /* a watcher never breaks sending */
      }
    });
  }

  function note(text) {
    notes.push(String(text));
    if (window.console) window.console.info("coursepack xAPI: " + text);
    changed();
  }

  window.CoursepackXAPI = {
    constants: constants,
    ensureSlash: ensureSlash,
    query: query,
    isoDuration: U.isoDuration,
    shortHash: U.hash,
    keepaliveBudget: function () {
      return pageBudget;
    },
    notes: notes,
    note: note,
    trackers: [],
    watch: function (fn) {
      watchers.push(fn);
      return fn;
    },
    changed: changed,
    dual: null,
  };
})(window);
