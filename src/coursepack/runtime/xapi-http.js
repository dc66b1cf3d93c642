/*
 * coursepack runtime: HTTP to an LRS (CoursepackXAPI.createHttp)
 *
 *   var http = X.createHttp({endpoint, auth, version, fetch, extraParams, timers,
 *                            onAuthError})
 *     auth          the Authorization value, or a Promise of it (cmi5's fetch URL)
 *     fetch         the transport (window.fetch in a page, a fake in tests)
 *     timers        {setTimeout, clearTimeout} (the page's by default)
 *   http.request(method, path, params, body, keepalive, timeoutMs)
 *        -> Promise<{status, text, headers}>   status 0: network error or timeout; never
 *           rejects. Once the credential is known, fetch() starts synchronously (a page being
 *           dismissed needs that).
 *   http.ready     Promise of the credential;  http.known() -> bool
 */
(function (window) {
  "use strict";

  var X = window.CoursepackXAPI;
  var C = X.constants;

  function createHttp(options) {
    var o = options || {};
    var endpoint = X.ensureSlash(o.endpoint || "");
    var version = o.version || C.VERSION;
    var fetchFn = o.fetch;
    var timers = o.timers || window;
    var auth = null; // the resolved Authorization value
    var ready = Promise.resolve(o.auth).then(
      function (value) {
        auth = X.normalizeAuth(value);
        return auth;
      },
      function (err) {
        if (typeof o.onAuthError === "function") o.onAuthError(err);
        return null;
      }
    );

    async function request(method, path, params, body, keepalive, timeoutMs) {
      if (auth === null) await ready;
      var headers = { "X-Experience-API-Version": version };
      if (auth) headers.Authorization = auth;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      var qs = X.query(Object.assign({}, o.extraParams || {}, params || {}));
      var url = endpoint + path + (qs ? "?" + qs : "");
      var init = {
        method: method,
        headers: headers,
        credentials: "omit", // never cookies or withCredentials with Basic auth (CORS)
        mode: "cors",
        cache: "no-store",
      };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      if (keepalive) init.keepalive = true;
      var timer = null;
      if (!keepalive && typeof AbortController === "function") {
        var controller = new AbortController();
        init.signal = controller.signal;
        timer = timers.setTimeout(function () {
          controller.abort();
        }, timeoutMs || C.REQUEST_TIMEOUT_MS);
      }
      try {
        var res = await fetchFn(url, init);
        var text = "";
        try {
          text = await res.text();
        } catch (err) {
          text = "";
        }
        return { status: res.status, text: text, headers: res.headers };
      } catch (err) {
        return { status: 0, text: String(err && err.message ? err.message : err) };
      } finally {
        if (timer) timers.clearTimeout(timer);
      }
    }

    return {
      endpoint: endpoint,
      request: request,
      ready: ready,
      known: function () {
        return auth !== null;
      },
    };
  }

  X.createHttp = createHttp;
})(window);
