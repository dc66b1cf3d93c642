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
 * Every call is guarded: an API that throws (Moodle's, when the answer to its request is an
 * HTML notice), answers garbage (undefined, an object, an HTML string, "false" with error code
 * 0) or gives an error code that is not a number never breaks the page. Such a call counts as
 * not confirmed: it is logged, kept in `incidents` (the debug view) and reported to the
 * learner once (`reportError("unconfirmed", what)`; an LMS error code is reported as itself).
 *
 *   var scorm = CoursepackScorm.connect(spec, {window, log, reportError})
 *   scorm.discover() -> api | null      this window and its parents, then the opener's
 *   scorm.get(element) -> {value: string, error: code}   a throw or an object answer: "101"
 *   scorm.set(element, value, force, quiet) -> code "0" only when the LMS answered "true" with
 *                                                   error 0; a value equal to the last one
 *                                                   confirmed is skipped unless `force`;
 *                                                   `quiet` (a probe that may be refused): a
 *                                                   failure is logged, not reported
 *   scorm.call(method) -> {ok, error}               initialize, commit, finish/terminate:
 *                                                   ok only for "true" (a failed initialize is
 *                                                   the adapter's to report)
 *   CoursepackScorm.value(v) -> string  what an LMS returned, whatever its type (Moodle gives
 *                                       cmi.interactions._count as a number): null/undefined
 *                                       "", numbers and booleans as text, objects ""
 *   CoursepackScorm.incidents           what went wrong with the LMS in this page, oldest
 *                                       first (at most 50): {kind, call, detail}, kind one of
 *                                       "threw", "garbage", "refused", "error"
 *   CoursepackScorm.location(section, item, limit) -> text   the bookmark: the section key,
 *                                       then "/<item id>" when it fits in `limit`
 *   CoursepackScorm.readLocation(text) -> {section, item}    (keys, or null)
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

  /** An error code as text: "0" when the LMS gave nothing, "101" (general exception) when it
   *  gave something that is not a code (an HTML notice, an object). */
  function code(v) {
    var text = value(v).trim();
    if (text === "") return "0";
    return /^\d{1,4}$/.test(text) ? text : "101";
  }

  var MAX_INCIDENTS = 50;
  var incidents = [];

  /** What an API answered, shortened for the log (an HTML notice can be long). */
  function shown(v) {
    var text;
    try {
      text = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "undefined" : typeof v === "object" ? (v === null ? "null" : "an object") : String(v);
    } catch (err) {
      text = typeof v;
    }
    return text.length > 120 ? text.slice(0, 117) + "..." : text;
  }

  /** The bookmark of a section ("m/s") and the item the learner is on ("m/i", same module):
   *  "m/s/i"; the section alone when there is no item or "m/s/i" is over `limit`. */
  function location(section, item, limit) {
    if (!section) return "";
    var text = section;
    if (item && item.indexOf(section.split("/")[0] + "/") === 0) {
      var withItem = section + "/" + item.slice(item.indexOf("/") + 1);
      if (!limit || withItem.length <= limit) text = withItem;
    }
    return limit && text.length > limit ? text.slice(0, limit) : text;
  }

  /** A bookmark read back: {section, item} (keys; core ignores what the course lacks). */
  function readLocation(text) {
    if (typeof text !== "string" || !text) return { section: null, item: null };
    var parts = text.split("/");
    if (parts.length < 2) return { section: text, item: null };
    var section = parts[0] + "/" + parts[1];
    return { section: section, item: parts.length === 3 && parts[2] ? parts[0] + "/" + parts[2] : null };
  }

  function connect(spec, deps) {
    var win = deps.window;
    var log = deps.log || function () {};
    var reportError = deps.reportError || function () {};
    var maxHops = deps.maxHops || MAX_API_HOPS;
    var m = spec.methods;
    var api = null;
    var last = {}; // element -> last value the LMS confirmed (skip redundant writes)

    function incident(kind, what, detail) {
      incidents.push({ kind: kind, call: what, detail: detail });
      if (incidents.length > MAX_INCIDENTS) incidents.shift();
      log("error", spec.label + " " + what + ": " + (kind === "threw" ? "threw " : kind === "garbage" ? "answered " : "") + detail);
    }

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

    /** Call api[method](args...): {threw, result}; a throw is an incident, never thrown on. */
    function invoke(method, args, what) {
      try {
        return { threw: false, result: api[method].apply(api, args) };
      } catch (err) {
        incident("threw", what, String((err && err.message) || err));
        return { threw: true, result: undefined };
      }
    }

    /** The code after a call, and whether the LMS gave a real one (a number, or nothing). */
    function lastError(what) {
      var raw;
      try {
        raw = api[m.lastError]();
      } catch (err) {
        incident("threw", m.lastError + " after " + what, String((err && err.message) || err));
        return { code: "101", answered: false };
      }
      var c = code(raw);
      if (c === "0") return { code: "0", answered: true };
      if (c === "101" && value(raw).trim() !== "101") {
        incident("garbage", m.lastError + " after " + what, shown(raw));
        return { code: c, answered: false };
      }
      var text = "";
      try {
        text = value(api[m.errorString](c));
      } catch (err) {
        /* the description is only for the log */
      }
      if (spec.notImplemented[c]) {
        log("info", "not implemented by this LMS: " + what);
      } else if (!(spec.quiet && spec.quiet[c])) {
        log("error", spec.label + " error " + c + " (" + text.slice(0, 120) + ") on " + what);
        incidents.push({ kind: "error", call: what, detail: c + " " + text.slice(0, 120) });
        if (incidents.length > MAX_INCIDENTS) incidents.shift();
      }
      return { code: c, answered: true };
    }

    /**
     * The learner hears of a write the LMS did not confirm (core shows one notice per code):
     * with the LMS's own error code, or "unconfirmed" when it gave none (threw, garbage).
     */
    function unconfirmed(c, answered, what) {
      if (spec.notImplemented[c]) return;
      reportError(answered ? c : "unconfirmed", what);
    }

    function get(element) {
      var what = m.get + " " + element;
      var r = invoke(m.get, [element], what);
      var c = lastError(what).code;
      if (!r.threw && r.result !== null && typeof r.result === "object" && value(r.result) === "") {
        incident("garbage", what, shown(r.result));
        r.threw = true;
      }
      if (r.threw && c === "0") c = "101";
      return { value: r.threw ? "" : value(r.result), error: c };
    }

    function set(element, v, force, quiet) {
      v = String(v);
      if (!force && last[element] === v) return "0";
      var what = m.set + " " + element;
      var r = invoke(m.set, [element, v], what);
      var e = lastError(what);
      var answer = value(r.result);
      if (!r.threw && e.code === "0" && answer === "true") {
        last[element] = v;
        return "0";
      }
      delete last[element];
      var c = settle(r, e, answer, what);
      if (!quiet) unconfirmed(c, e.answered && e.code !== "0", element);
      return c;
    }

    /** The code of a call that was not confirmed: the LMS's, or "101" when it gave none
     *  (a throw, or an answer that is not "true" with error 0: recorded as an incident). */
    function settle(r, e, answer, what) {
      if (e.code !== "0") return e.code;
      if (!r.threw) incident(answer === "false" ? "refused" : "garbage", what, answer === "false" ? "false with error 0" : shown(r.result));
      return "101";
    }

    /** A call that takes "" (initialize, commit, finish/terminate). */
    function call(method) {
      var r = invoke(method, [""], method);
      var e = lastError(method);
      var answer = value(r.result);
      if (!r.threw && answer === "true" && e.code === "0") return { ok: true, error: "0" };
      var c = settle(r, e, answer, method);
      if (method !== m.initialize) unconfirmed(c, e.answered && e.code !== "0", method);
      return { ok: false, error: c };
    }

    return { discover: discover, get: get, set: set, call: call };
  }

  root.CoursepackScorm = {
    connect: connect,
    value: value,
    code: code,
    location: location,
    readLocation: readLocation,
    incidents: incidents,
    MAX_API_HOPS: MAX_API_HOPS,
  };
})(window);
