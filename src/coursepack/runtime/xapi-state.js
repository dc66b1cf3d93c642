/*
 * coursepack runtime: the xAPI State resource (CoursepackXAPI.createStateResource)
 *
 *   var state = X.createStateResource({http, actor, registration, activityId, budget,
 *                                      onChange})
 *   state.get(stateId, {activityId, registration}) -> Promise<{status, value}>
 *   state.put(stateId, value, {activityId, registration, keepalive}) -> Promise<{status}>
 *     status: "ok" | "missing" (get: 404) | "unavailable" (the LRS has no State resource:
 *     404/405/501 on PUT, or 403) | "error"
 *   state.resource() -> "unknown" | "available" | "unavailable"
 *   state.idle() -> Promise     resolves when no State request is in flight
 *
 * A keepalive PUT is sent with keepalive only while the page's keepalive bodies in flight stay
 * within 64 KiB (the browser would refuse the request).
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var C = X.constants;
  var MISSING_RESOURCE = { 404: true, 405: true, 501: true };

  function createStateResource(options) {
    var o = options || {};
    var http = o.http;
    var budget = o.budget || X.keepaliveBudget();
    var resource = "unknown";
    var inFlight = 0;
    var idleWaiters = [];

    /** Count a request in flight until `promise` settles. */
    function track(promise) {
      inFlight++;
      function done() {
        inFlight--;
        if (inFlight) return;
        var waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach(function (resolve) {
          resolve();
        });
      }
      promise.then(done, done);
      return promise;
    }

    function set(value) {
      if (resource === value) return;
      resource = value;
      if (typeof o.onChange === "function") o.onChange();
    }

    function params(stateId, opts) {
      opts = opts || {};
      var p = { stateId: stateId, activityId: opts.activityId || o.activityId, agent: JSON.stringify(o.actor) };
      var reg = opts.registration === undefined ? o.registration : opts.registration;
      if (reg) p.registration = reg;
      return p;
    }

    function message(res) {
      return (res.text || "").slice(0, 500);
    }

    async function get(stateId, opts) {
      if (resource === "unavailable") return { status: "unavailable", value: null };
      // The course waits for this answer before it starts: don't wait long.
      var res = await track(http.request("GET", "activities/state", params(stateId, opts), undefined, false, C.STATE_GET_TIMEOUT_MS));
      if (res.status === 200) {
        set("available");
        var value = res.text;
        var type = (res.headers && res.headers.get && res.headers.get("Content-Type")) || "";
        if (/json/i.test(type) || /^\s*[[{"]/.test(value)) {
          try {
            value = JSON.parse(res.text);
          } catch (err) {
            /* keep the text */
          }
        }
        return { status: "ok", value: value };
      }
      if (res.status === 404) return { status: "missing", value: null };
      if (MISSING_RESOURCE[res.status] || res.status === 403) {
        set("unavailable");
        return { status: "unavailable", value: null, http: res.status };
      }
      return { status: "error", value: null, http: res.status, message: message(res) };
    }

    async function put(stateId, value, opts) {
      if (resource === "unavailable") return { status: "unavailable" };
      var body = typeof value === "string" ? value : JSON.stringify(value);
      var bytes = opts && opts.keepalive ? U.byteLength(body) : 0;
      var keepalive = bytes > 0 && budget.inFlight + bytes <= C.KEEPALIVE_LIMIT;
      if (keepalive) budget.inFlight += bytes;
      var res;
      try {
        res = await track(http.request("PUT", "activities/state", params(stateId, opts), body, keepalive));
      } finally {
        if (keepalive) budget.inFlight -= bytes;
      }
      if (res.status === 204 || res.status === 200) {
        set("available");
        return { status: "ok" };
      }
      if (MISSING_RESOURCE[res.status] || res.status === 403) {
        set("unavailable");
        return { status: "unavailable", http: res.status };
      }
      return { status: "error", http: res.status, message: message(res) };
    }

    return {
      get: get,
      put: put,
      resource: function () {
        return resource;
      },
      idle: function () {
        return new Promise(function (resolve) {
          if (!inFlight) resolve();
          else idleWaiters.push(resolve);
        });
      },
    };
  }

  X.createStateResource = createStateResource;
})(window);
