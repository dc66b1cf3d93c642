/*
 * coursepack runtime: shared helpers (window.CoursepackUtil)
 *
 * Pure functions only: no DOM, no clock, no configuration. Every other runtime file takes its
 * helpers from here (one FNV hash, one ISO duration, one `has`). Loaded first.
 */
(function (root) {
  "use strict";

  function has(obj, key) {
    return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  /** "{name}" placeholders filled from values; unknown names are left as they are. */
  function format(template, values) {
    return String(template).replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, name) {
      return values && has(values, name) ? String(values[name]) : m;
    });
  }

  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS */
  function scormTimespan(ms) {
    var cs = Math.max(0, Math.round((Number(ms) || 0) / 10));
    var h = Math.floor(cs / 360000);
    var m = Math.floor((cs % 360000) / 6000);
    var s = Math.floor((cs % 6000) / 100);
    if (h > 9999) {
      h = 9999;
      m = 59;
      s = 59;
      cs = 99;
    }
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs % 100, 2);
  }

  /** ISO 8601 duration (SCORM 2004 timeinterval, xAPI result.duration): PT1H2M3.45S */
  function isoDuration(ms) {
    var cs = Math.max(0, Math.round((Number(ms) || 0) / 10));
    var h = Math.floor(cs / 360000);
    var m = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    var out = "PT";
    if (h) out += h + "H";
    if (m) out += m + "M";
    return out + Math.round(s * 100) / 100 + "S";
  }

  /** CMITime, the time of day of `date`: HH:MM:SS */
  function clockTime(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  /** ISO 8601 timestamp of ms since the epoch ("" when that is no valid time). */
  function iso(ms) {
    var d = new Date(Number(ms));
    return isNaN(d.getTime()) ? "" : d.toISOString();
  }

  /** At most max UTF-16 units, never splitting a surrogate pair. */
  function truncate(text, max) {
    text = String(text);
    if (max === undefined || max === null || text.length <= max) return text;
    var cut = text.slice(0, max);
    var last = cut.charCodeAt(cut.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
    return cut;
  }

  /** One line: line breaks (which CMIString255-type checks reject) become spaces. */
  function singleLine(text) {
    return String(text).replace(/[\r\n\u2028\u2029\t]+/g, " ");
  }

  /** An identifier whose characters all match the class `pattern` (e.g. "[A-Za-z0-9_-]"). */
  function safeId(text, pattern, max) {
    var allowed = new RegExp(pattern || "[A-Za-z0-9_-]");
    var out = "";
    text = String(text);
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      out += allowed.test(c) ? c : "_";
    }
    return truncate(out, max || 255);
  }

  /** FNV-1a 32-bit hash as 8 hex digits (not cryptographic: it names storage keys). */
  function hash(text) {
    var h = 0x811c9dc5;
    text = String(text);
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = (h + ((h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24))) >>> 0;
    }
    return pad(h.toString(16), 8);
  }

  /** decodeURIComponent that never throws: a malformed escape ("%", "%E0%A4") gives null. */
  function safeDecode(text) {
    try {
      return decodeURIComponent(String(text));
    } catch (err) {
      return null;
    }
  }

  /** UTF-8 bytes of a text. */
  function utf8(text) {
    if (typeof TextEncoder === "function") return new TextEncoder().encode(String(text));
    var s = unescape(encodeURIComponent(String(text)));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function byteLength(text) {
    return utf8(text).length;
  }

  root.CoursepackUtil = {
    has: has,
    isObject: isObject,
    clone: clone,
    pad: pad,
    format: format,
    scormTimespan: scormTimespan,
    isoDuration: isoDuration,
    clockTime: clockTime,
    iso: iso,
    truncate: truncate,
    singleLine: singleLine,
    safeId: safeId,
    hash: hash,
    safeDecode: safeDecode,
    utf8: utf8,
    byteLength: byteLength,
  };
})(window);
