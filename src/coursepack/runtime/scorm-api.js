/*
 * coursepack runtime: the SCORM API connection (window.CoursepackScorm), SCORM packages only
 *
 * What both SCORM adapters share: ADL's discovery walk, and Get/Set/other calls each followed
 * by the last-error call. What differs between 1.2 and 2004 comes in `spec`, a table from the
 * adapter: {label, apiName, methods: {initialize, get, set, lastError, errorString},
 * notImplemented: {code: true}, quiet: {code: true}}. Codes in `notImplemented` are logged at
 * info level and never reported to the learner; codes in `quiet` (2004's 403 for a value never
 * set) are not logged as errors.
 *
 *   var scorm = CoursepackScorm.connect(spec, {window, log, reportError, maxHops})
 *   scorm.discover() -> api | null      this window and its parents, then the opener's
 *   scorm.get(element) -> {value: string, error: code}
 *   scorm.set(element, value, force, quiet) -> code  a value equal to the last one set is
 *                                                   skipped unless `force`; `quiet` (a probe
 *                                                   that may be refused): an error is logged
 *                                                   at info level and not reported
 *   scorm.call(method) -> {ok, error}               initialize, commit, finish/terminate
 *   CoursepackScorm.value(v) -> string  what an LMS returned, whatever its type (Moodle gives
 *                                       cmi.interactions._count as a number): null/undefined
 *                                       "", numbers and booleans as text, objects ""
 */
(function (root) {
  "use strict";

  var MAX_API_HOPS = 500;

  /** An LMS's answer as the string SCORM says it is. */
  function value(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "string") return v;
    if (typeof v === "number") return isFinite(v) ? String(v) : "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "bigint") return String(v);
    if (typeof v === "object" && typeof v.valueOf === "function") {
      var prim;
      try {
        prim = v.valueOf();
      } catch (err) {
        return "";
      }
      if (prim !== v && (typeof prim === "string" || typeof prim === "number" || typeof prim === "boolean")) {
        return value(prim);
      }
    }
    return "";
  }

  /** An error code as text ("0" when the LMS gave nothing usable). */
  function code(v) {
    var text = value(v).trim();
    return text === "" ? "0" : text;
  }

  function connect(spec, deps) {
    var win = deps.window;
    var log = deps.log || function () {};
    var reportError = deps.reportError || function () {};
    var maxHops = deps.maxHops || MAX_API_HOPS;
    var m = spec.methods;
    var api = null;
    var last = {}; // element -> last value set (skip redundant writes)

    function findIn(w) {
      var hops = 0;
      while (w && hops <= maxHops) {
        try {
          var candidate = w[spec.apiName];
          if (candidate && typeof candidate[m.initialize] === "function") return candidate;
        } catch (err) {
          /* cross-origin frame: keep climbing */
        }
        var parent = null;
        try {
          parent = w.parent;
        } catch (err) {
          parent = null;
        }
        if (!parent || parent === w) break;
        w = parent;
        hops++;
      }
      return null;
    }

    /** ADL's walk: this window and its parents, then the opener and its parents. */
    function discover() {
      api = findIn(win);
      if (!api) {
        try {
          if (win.opener && !win.opener.closed) api = findIn(win.opener);
        } catch (err) {
          /* cross-origin opener */
        }
      }
      return api;
    }

    function lastError(what, quiet) {
      var c = "0";
      try {
        c = code(api[m.lastError]());
      } catch (err) {
        c = "101";
      }
      if (c === "0") return "0";
      var text = "";
      try {
        text = value(api[m.errorString](c));
      } catch (err) {
        /* ignore */
      }
      if (spec.notImplemented[c]) {
        log("info", "not implemented by this LMS: " + what);
      } else if (quiet) {
        log("info", spec.label + " error " + c + " (" + text + ") on " + what);
      } else if (!(spec.quiet && spec.quiet[c])) {
        log("error", spec.label + " error " + c + " (" + text + ") on " + what);
      }
      return c;
    }

    function get(element) {
      var v = "";
      try {
        v = api[m.get](element);
      } catch (err) {
        log("error", m.get + " threw", element);
      }
      var c = lastError(m.get + " " + element);
      return { value: value(v), error: c };
    }

    function set(element, v, force, quiet) {
      v = String(v);
      if (!force && last[element] === v) return "0";
      var ok;
      try {
        ok = api[m.set](element, v);
      } catch (err) {
        log("error", m.set + " threw", element);
      }
      var c = lastError(m.set + " " + element, quiet);
      if (c === "0" && value(ok) !== "false") last[element] = v;
      else if (quiet) c = c === "0" ? "101" : c;
      else if (!spec.notImplemented[c]) reportError(c === "0" ? "101" : c, element);
      return c;
    }

    /** A call that takes "" (initialize, commit, finish/terminate). */
    function call(method) {
      var ok;
      try {
        ok = api[method]("");
      } catch (err) {
        log("error", method + " threw", String(err));
      }
      var c = lastError(method);
      return { ok: value(ok) === "true", error: c };
    }

    return { discover: discover, get: get, set: set, call: call };
  }

  root.CoursepackScorm = { connect: connect, value: value, code: code, MAX_API_HOPS: MAX_API_HOPS };
})(window);
